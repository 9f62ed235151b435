/* eseal - library set-up and version. */
#include <pthread.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include "eseal_int.h"
#include "eseal_config.h"
#if ESEAL_HAVE_XML
#include "../xml/xml_adapter.h"
#endif

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int init_count;

int eseal_init(eseal_error *err)
{
    int rc = 0;

    pthread_mutex_lock(&init_lock);
    if (init_count == 0 &&
        OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CRYPTO_STRINGS |
            OPENSSL_INIT_ADD_ALL_CIPHERS | OPENSSL_INIT_ADD_ALL_DIGESTS,
            NULL) != 1)
        rc = eseal__error_ossl(err, ESEAL_ECRYPTO,
            "cannot initialise OpenSSL");
#if ESEAL_HAVE_XML
    if (rc == 0 && init_count == 0)
        rc = eseal__xml_global_init(err);
#endif
    if (rc == 0)
        init_count++;
    pthread_mutex_unlock(&init_lock);
    return rc;
}

void eseal_shutdown(void)
{
    pthread_mutex_lock(&init_lock);
    if (init_count > 0 && --init_count == 0) {
#if ESEAL_HAVE_XML
        eseal__xml_global_shutdown();
#endif
    }
    pthread_mutex_unlock(&init_lock);
}

const char *eseal_version(void)
{
    return ESEAL_VERSION;
}
