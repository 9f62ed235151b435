/* eseal - inspecting e-Seal certificates (placeholder, being written). */
#ifndef ESEAL_CERT_H
#define ESEAL_CERT_H
#include <eseal/common.h>
#include <eseal/error.h>
#endif
