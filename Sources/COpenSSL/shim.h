// Thin, prefixed wrappers for the parts of OpenSSL 3 that are macros or need a fixed
// signature from Swift. Everything else is called directly. Only files that wrap an
// OpenSSL object import this module (in Sources/SSAToolkit, and the sandbox's certificate
// authority in Sources/DirectorySandbox).
#ifndef SSATOOLKIT_COPENSSL_SHIM_H
#define SSATOOLKIT_COPENSSL_SHIM_H

#include <openssl/opensslv.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/provider.h>
#include <openssl/bio.h>
#include <openssl/ocsp.h>

// OPENSSL_free is a macro over CRYPTO_free carrying __FILE__/__LINE__.
static inline void cossl_free(void *_Nullable ptr) { OPENSSL_free(ptr); }

// sk_X509_* are type-safe macros over OPENSSL_sk_*.
static inline int cossl_sk_X509_num(const STACK_OF(X509) *_Nullable sk) { return sk_X509_num(sk); }
static inline X509 *_Nullable cossl_sk_X509_value(const STACK_OF(X509) *_Nonnull sk, int i) { return sk_X509_value(sk, i); }
static inline void cossl_sk_X509_pop_free(STACK_OF(X509) *_Nullable sk) { sk_X509_pop_free(sk, X509_free); }

static inline STACK_OF(X509) *_Nullable cossl_sk_X509_new_null(void) { return sk_X509_new_null(); }
static inline int cossl_sk_X509_push(STACK_OF(X509) *_Nonnull sk, X509 *_Nonnull x) { return sk_X509_push(sk, x); }
static inline void cossl_sk_X509_free(STACK_OF(X509) *_Nullable sk) { sk_X509_free(sk); }

// STACK_OF(OPENSSL_STRING) (X509_get1_ocsp's answer) is a type-safe macro over OPENSSL_sk_*.
static inline int cossl_sk_OPENSSL_STRING_num(const STACK_OF(OPENSSL_STRING) *_Nullable sk) { return sk_OPENSSL_STRING_num(sk); }
static inline const char *_Nullable cossl_sk_OPENSSL_STRING_value(const STACK_OF(OPENSSL_STRING) *_Nonnull sk, int i) { return sk_OPENSSL_STRING_value(sk, i); }

// The URIs of a certificate's CRL distribution points (full names only), each copied into
// `out` (at most `max`; free each with cossl_free). STACK_OF(DIST_POINT) and GENERAL_NAMES are
// walked here because their accessors are macros and their structs hold unions.
static inline int cossl_crl_distribution_uris(X509 *_Nonnull x, char *_Nullable *_Nonnull out, int max) {
    STACK_OF(DIST_POINT) *points = X509_get_ext_d2i(x, NID_crl_distribution_points, NULL, NULL);
    if (points == NULL) return 0;
    int n = 0;
    for (int i = 0; i < sk_DIST_POINT_num(points) && n < max; i++) {
        DIST_POINT *point = sk_DIST_POINT_value(points, i);
        if (point->distpoint == NULL || point->distpoint->type != 0) continue;
        GENERAL_NAMES *names = point->distpoint->name.fullname;
        for (int j = 0; j < sk_GENERAL_NAME_num(names) && n < max; j++) {
            GENERAL_NAME *name = sk_GENERAL_NAME_value(names, j);
            if (name->type != GEN_URI) continue;
            const ASN1_IA5STRING *uri = name->d.uniformResourceIdentifier;
            out[n++] = OPENSSL_strndup((const char *)ASN1_STRING_get0_data(uri), (size_t)ASN1_STRING_length(uri));
        }
    }
    CRL_DIST_POINTS_free(points);
    return n;
}

// XN_FLAG_RFC2253 combines several macros that Swift does not import.
static inline unsigned long cossl_xn_flag_rfc2253(void) { return XN_FLAG_RFC2253; }

// ERR_GET_LIB / ERR_GET_REASON are macros (inline functions in 3.x, kept behind one name).
static inline int cossl_err_get_lib(unsigned long e) { return ERR_GET_LIB(e); }
static inline int cossl_err_get_reason(unsigned long e) { return ERR_GET_REASON(e); }

// BIO_get_mem_data is a macro over BIO_ctrl.
static inline long cossl_bio_get_mem_data(BIO *_Nonnull bio, char *_Nullable *_Nullable out) {
    return BIO_get_mem_data(bio, out);
}

#endif
