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
  return jw_limit_error("sha256Begin", "too many open digests");
}

/* The digest context: EARG when not a number, EHANDLE when not open. */
static jerry_value_t ctx_arg(const jerry_value_t args[], jerry_length_t argc, const char *fn, jw_sha256_t ***out) {
  if (!jw_is_number(args, argc, 0)) return jw_type_error(fn, "ctx must be a number");
  double d = jw_num(args, argc, 0);
  int i = (int)d - 1;
  if (d != (double)(i + 1) || i < 0 || i >= SHA_CONTEXTS || ctxs[i] == NULL) return jw_handle_error(fn, "no such digest (finished, or never begun)");
  *out = &ctxs[i];
  return 0;
}

JW_HANDLER(jw_b_sha256_update) {
  (void)call;
  jw_sha256_t **c;
  const uint8_t *p;
  size_t len;
  uint8_t *tmp;
  jerry_value_t e = ctx_arg(args, argc, "sha256Update", &c);
  if (e) return e;
  if (argc < 2 || !(jerry_value_is_string(args[1]) || jerry_value_is_arraybuffer(args[1]))) return jw_type_error("sha256Update", "data must be an ArrayBuffer or a string");
  if (!jw_bytes(args[1], &p, &len, &tmp)) return jw_range_error("sha256Update", "string over 1 MB");
  jw_sha256_update(*c, p, len);
  free(tmp);
  return jerry_undefined();
}

JW_HANDLER(jw_b_sha256_finish) {
  (void)call;
  jw_sha256_t **c;
  uint8_t out[32];
  jerry_value_t e = ctx_arg(args, argc, "sha256Finish", &c);
  if (e) return e;
  jw_sha256_finish(*c, out);
  *c = NULL;
  return jw_bytes_new(out, 32);
}

JW_HANDLER(jw_b_ecdsa_p256_verify) {
  (void)call;
  if (argc < 3 || !jerry_value_is_arraybuffer(args[0]) || !jerry_value_is_arraybuffer(args[1]) || !jerry_value_is_arraybuffer(args[2]))
    return jw_type_error("ecdsaP256Verify", "(publicKey, digest, signature: ArrayBuffer)");
  if (jerry_arraybuffer_size(args[1]) != 32) return jw_type_error("ecdsaP256Verify", "digest must be 32 bytes");
  return jerry_boolean(jw_ecdsa_p256_verify(jerry_arraybuffer_data(args[0]), jerry_arraybuffer_size(args[0]),
                                            jerry_arraybuffer_data(args[1]), jerry_arraybuffer_size(args[1]),
                                            jerry_arraybuffer_data(args[2]), jerry_arraybuffer_size(args[2])));
}
