/* eseal XAdES adapter - warnings about placements that a receiver's schema
 * or business rules object to.  The seal itself is valid either way. */
#include <string.h>
#include <libxml/tree.h>
#include "xml_int.h"

#define NS_CII_PREFIX "urn:un:unece:uncefact:data:standard:CrossIndustry"
#define NS_UBL_CBC "urn:oasis:names:specification:ubl:schema:xsd:" \
    "CommonBasicComponents-2"
#define EN16931_PREFIX "urn:cen.eu:en16931:2017"

static int root_ns_starts(xmlNodePtr root, const char *prefix)
{
    return root->ns != NULL && root->ns->href != NULL &&
        strncmp((const char *)root->ns->href, prefix, strlen(prefix)) == 0;
}

/* Whether the UBL document declares an EN 16931 customization (Peppol BIS
 * Billing 3.0 and its national CIUS all do). */
static int is_en16931_ubl(xmlNodePtr root)
{
    xmlNodePtr id = eseal__xml_child(root, NS_UBL_CBC, "CustomizationID");
    xmlChar *text;
    int found;

    if (id == NULL)
        return 0;
    text = xmlNodeGetContent(id);
    found = text != NULL && strstr((const char *)text, EN16931_PREFIX) != NULL;
    xmlFree(text);
    return found;
}

void eseal__xml_note_placement(const eseal_job *job, xmlNodePtr root,
    int ubl, int explicit_choice)
{
    const eseal_sealer *s = job->sealer;
    const char *name = job->in->name;

    if (!eseal__sealer_logs(s, ESEAL_LOG_WARNING))
        return;
    if (!ubl && root_ns_starts(root, NS_CII_PREFIX))
        eseal__sealer_log(s, ESEAL_LOG_WARNING, name,
            "xml-schema-no-signature", "the CII schema has no place for a "
            "signature: the sealed invoice (ds:Signature as the last child "
            "of %s) no longer validates against it; receivers that check "
            "the schema will reject it", (const char *)root->name);
    else if (!ubl && explicit_choice && root_ns_starts(root,
                 ESEAL_UBL_INVOICE_PREFIX))
        eseal__sealer_log(s, ESEAL_LOG_WARNING, name,
            "xml-schema-no-signature", "the UBL schema has no place for a "
            "ds:Signature as the last child of %s: use the ubl placement "
            "(ext:UBLExtensions)", (const char *)root->name);
    else if (ubl && is_en16931_ubl(root))
        eseal__sealer_log(s, ESEAL_LOG_WARNING, name,
            "en16931-ubl-extensions", "EN 16931 / Peppol BIS 3 validation "
            "warns on ext:UBLExtensions (rule UBL-CR-001): receivers see a "
            "warning, not an error, for the seal's container");
}
