/* mbedTLS 2.28 (Debian 12) names the int-returning SHA-256 calls *_ret; 3.x (ESP-IDF 5) dropped the suffix. */
#include <stdlib.h>
#include <string.h>
#include "mbedtls/version.h"
#include "mbedtls/sha256.h"
#include "mbedtls/pk.h"
#include "mbedtls/md.h"
#include "jw_crypto.h"

#if MBEDTLS_VERSION_MAJOR >= 3
#define JW_SHA_STARTS mbedtls_sha256_starts
#define JW_SHA_UPDATE mbedtls_sha256_update
#define JW_SHA_FINISH mbedtls_sha256_finish
#else
#define JW_SHA_STARTS mbedtls_sha256_starts_ret
#define JW_SHA_UPDATE mbedtls_sha256_update_ret
#define JW_SHA_FINISH mbedtls_sha256_finish_ret
#endif

struct jw_sha256 {
  mbedtls_sha256_context c;
};

jw_sha256_t *jw_sha256_begin(void) {
  jw_sha256_t *ctx = malloc(sizeof *ctx);
  if (ctx == NULL) return NULL;
  mbedtls_sha256_init(&ctx->c);
  (void)JW_SHA_STARTS(&ctx->c, 0);
  return ctx;
}

void jw_sha256_update(jw_sha256_t *ctx, const uint8_t *data, size_t len) { (void)JW_SHA_UPDATE(&ctx->c, data, len); }

void jw_sha256_finish(jw_sha256_t *ctx, uint8_t out[32]) {
  (void)JW_SHA_FINISH(&ctx->c, out);
  mbedtls_sha256_free(&ctx->c);
  free(ctx);
}

void jw_sha256(const uint8_t *data, size_t len, uint8_t out[32]) {
  mbedtls_sha256_context c;
  mbedtls_sha256_init(&c);
  (void)JW_SHA_STARTS(&c, 0);
  (void)JW_SHA_UPDATE(&c, data, len);
  (void)JW_SHA_FINISH(&c, out);
  mbedtls_sha256_free(&c);
}

/* SubjectPublicKeyInfo prefix of an uncompressed P-256 key: SEQ { SEQ { id-ecPublicKey, prime256v1 }, BIT STRING }.
 * Checking it pins the curve without touching mbedtls_ecp_keypair fields that 3.x made private. */
static const uint8_t P256_SPKI_PREFIX[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
                                           0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};

bool jw_ecdsa_p256_verify(const uint8_t *spki, size_t spki_len, const uint8_t *digest, size_t digest_len,
                          const uint8_t *sig, size_t sig_len) {
  if (spki == NULL || digest == NULL || sig == NULL) return false;
  if (spki_len != 91 || memcmp(spki, P256_SPKI_PREFIX, sizeof P256_SPKI_PREFIX) != 0) return false;
  if (digest_len != 32 || sig_len < 8 || sig_len > 72) return false;
  mbedtls_pk_context pk;
  mbedtls_pk_init(&pk);
  bool ok = mbedtls_pk_parse_public_key(&pk, spki, spki_len) == 0 && mbedtls_pk_can_do(&pk, MBEDTLS_PK_ECDSA) &&
            mbedtls_pk_verify(&pk, MBEDTLS_MD_SHA256, digest, digest_len, sig, sig_len) == 0;
  mbedtls_pk_free(&pk);
  return ok;
}
