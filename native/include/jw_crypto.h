/* SHA-256 and ECDSA P-256 verify over mbedTLS; compiles against 2.28 (Debian 12) and 3.x (ESP-IDF 5). */
#ifndef JW_CRYPTO_H
#define JW_CRYPTO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jw_sha256 jw_sha256_t;

/* NULL when out of memory. */
jw_sha256_t *jw_sha256_begin(void);
void jw_sha256_update(jw_sha256_t *ctx, const uint8_t *data, size_t len);
/* Writes 32 bytes and frees the context. */
void jw_sha256_finish(jw_sha256_t *ctx, uint8_t out[32]);
void jw_sha256(const uint8_t *data, size_t len, uint8_t out[32]);

/* publicKey: SPKI DER of a P-256 key; digest: 32 bytes; signature: DER. Anything else returns false. */
bool jw_ecdsa_p256_verify(const uint8_t *spki, size_t spki_len, const uint8_t *digest, size_t digest_len,
                          const uint8_t *sig, size_t sig_len);
#endif
