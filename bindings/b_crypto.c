#include <stdlib.h>
#include "jw_crypto.h"
#include "jw_js.h"

#define SHA_CONTEXTS 4 /* a few concurrent digests (OTA image, manifest); a leak cannot grow past this */
static jw_sha256_t *ctxs[SHA_CONTEXTS];

JW_HANDLER(jw_b_sha256_begin) {
  (void)call, (void)args, (void)argc;
  for (int i = 0; i < SHA_CONTEXTS; i++) {
    if (ctxs[i] == NULL) {
      ctxs[i] = jw_sha256_begin();
      if (ctxs[i] == NULL) break;
      return jerry_number(i + 1);
    }
  }
  return jerry_throw_sz(JERRY_ERROR_RANGE, "native.sha256Begin: too many open digests");
}

static jw_sha256_t **ctx_arg(const jerry_value_t args[], jerry_length_t argc) {
  if (!jw_is_number(args, argc, 0)) return NULL;
  int i = (int)jw_num(args, argc, 0) - 1;
  return (i >= 0 && i < SHA_CONTEXTS && ctxs[i]) ? &ctxs[i] : NULL;
}

JW_HANDLER(jw_b_sha256_update) {
  (void)call;
  jw_sha256_t **c = ctx_arg(args, argc);
  const uint8_t *p;
  size_t len;
  uint8_t *tmp;
  if (c == NULL || argc < 2 || !jw_bytes(args[1], &p, &len, &tmp)) return jw_type_error("sha256Update", "(ctx from sha256Begin, data)");
  jw_sha256_update(*c, p, len);
  free(tmp);
  return jerry_undefined();
}

JW_HANDLER(jw_b_sha256_finish) {
  (void)call;
  jw_sha256_t **c = ctx_arg(args, argc);
  uint8_t out[32];
  if (c == NULL) return jw_type_error("sha256Finish", "ctx from sha256Begin");
  jw_sha256_finish(*c, out);
  *c = NULL;
  return jw_bytes_new(out, 32);
}

JW_HANDLER(jw_b_ecdsa_p256_verify) {
  (void)call;
  if (argc < 3 || !jerry_value_is_arraybuffer(args[0]) || !jerry_value_is_arraybuffer(args[1]) || !jerry_value_is_arraybuffer(args[2]))
    return jw_type_error("ecdsaP256Verify", "(publicKey, digest, signature: ArrayBuffer)");
  return jerry_boolean(jw_ecdsa_p256_verify(jerry_arraybuffer_data(args[0]), jerry_arraybuffer_size(args[0]),
                                            jerry_arraybuffer_data(args[1]), jerry_arraybuffer_size(args[1]),
                                            jerry_arraybuffer_data(args[2]), jerry_arraybuffer_size(args[2])));
}
