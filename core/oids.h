/* eseal - object identifiers the project uses. */
#ifndef ESEAL_OIDS_H
#define ESEAL_OIDS_H

/*
 * Policies of the demo PKI (eseal demo-pki).  They are UUID-based OIDs
 * (ITU-T X.667, arc 2.25), minted for this project's demo material only;
 * a real deployment configures its CA's policy OIDs in the assurance
 * level table of the config file.
 */
#define ESEAL_OID_DEMO_CA_POLICY \
    "2.25.314240318533013040691668792047119238276"
#define ESEAL_OID_DEMO_ESEAL_LEVEL1 \
    "2.25.44795519159697246111810484754987644498"
#define ESEAL_OID_DEMO_ESEAL_LEVEL2 \
    "2.25.15108974328956562135719068341614496465"
#define ESEAL_OID_DEMO_TSA_POLICY \
    "2.25.298836554529772248182217626450308142962"

/* X.520 organizationIdentifier */
#define ESEAL_OID_ORGANIZATION_IDENTIFIER "2.5.4.97"
/* ISO 17442-2 LEI certificate extension */
#define ESEAL_OID_LEI "1.3.6.1.4.1.52266.1"
/* ETSI EN 319 412-5 QCStatements */
#define ESEAL_OID_QCS_QC_COMPLIANCE "0.4.0.1862.1.1"
#define ESEAL_OID_QCS_QC_TYPE "0.4.0.1862.1.6"
#define ESEAL_OID_QCT_ESIGN "0.4.0.1862.1.6.1"
#define ESEAL_OID_QCT_ESEAL "0.4.0.1862.1.6.2"
#define ESEAL_OID_QCT_WEB "0.4.0.1862.1.6.3"
#define ESEAL_OID_QCS_QC_SSCD "0.4.0.1862.1.4"
/* ETSI EN 319 412-1 semantics identifier for legal persons */
#define ESEAL_OID_SEMANTICS_LEGAL "0.4.0.194121.1.2"

#endif
