#include "jw_js.h"
#include "jw_part.h"

#define PART_IO_MAX (64u * 1024u) /* one call never moves more than this through the JS heap */

/* Tag of external ArrayBuffers over mapped flash: vm.c's free callback leaves them alone. */
char jw_mapped_tag;

static bool label_arg(const jerry_value_t args[], jerry_length_t argc, char label[17]) {
  return argc >= 1 && jw_str(args[0], label, 17);
}

static jerry_value_t info_object(const jw_part_info_t *i) {
  jerry_value_t o = jerry_object();
  jw_set_str(o, "label", i->label);
  jw_set_num(o, "size", i->size);
  jw_set_num(o, "eraseSize", i->erase_size);
  jw_set_num(o, "address", i->address);
  return o;
}
jerry_value_t jw_part_info_object(const jw_part_info_t *i);
jerry_value_t jw_part_info_object(const jw_part_info_t *i) { return info_object(i); }

JW_HANDLER(jw_b_part_info) {
  (void)call;
  char label[17];
  jw_part_info_t i;
  if (argc < 1 || !jerry_value_is_string(args[0])) return jw_type_error("partInfo", "label must be a string");
  if (!label_arg(args, argc, label) || jw_part_info(label, &i) != 0) return jerry_undefined();
  return info_object(&i);
}

/* (label, offset, length): EARG for wrong types or an unknown label, ERANGE for offsets that are not
 * non-negative integers. 0 when fine. */
static jerry_value_t part_args(const jerry_value_t args[], jerry_length_t argc, const char *fn, char label[17], bool with_len, uint32_t *off,
                               uint32_t *len) {
  jw_part_info_t i;
  if (!jw_is_string(args, argc, 0)) return jw_type_error(fn, "label must be a string");
  if (!label_arg(args, argc, label) || jw_part_info(label, &i) != 0) return jw_type_error(fn, "no such partition");
  if (!jw_is_number(args, argc, 1) || (with_len && !jw_is_number(args, argc, 2))) return jw_type_error(fn, "(label, offset: number, length: number)");
  double o = jw_num(args, argc, 1), l = with_len ? jw_num(args, argc, 2) : 0;
  if (!jw_is_int(args, argc, 1) || (with_len && !jw_is_int(args, argc, 2)) || o < 0 || l < 0)
    return jw_range_error(fn, "offset and length must be non-negative integers");
  *off = (uint32_t)o;
  *len = (uint32_t)l;
  return 0;
}

JW_HANDLER(jw_b_part_read) {
  (void)call;
  char label[17];
  uint32_t off, len;
  jerry_value_t e = part_args(args, argc, "partRead", label, true, &off, &len);
  if (e) return e;
  if (len > PART_IO_MAX) return jw_range_error("partRead", "length over 64 KB");
  jw_part_info_t i;
  if (jw_part_info(label, &i) != 0 || off > i.size || len > i.size - off) return jw_range_error("partRead", "out of the partition");
  jerry_value_t ab = jerry_arraybuffer(len);
  if (jerry_value_is_exception(ab)) return ab;
  if (len && jw_part_read(label, off, jerry_arraybuffer_data(ab), len) != 0) {
    jerry_value_free(ab);
    return jw_range_error("partRead", "out of the partition");
  }
  return ab;
}

JW_HANDLER(jw_b_part_erase) {
  (void)call;
  char label[17];
  uint32_t off, len;
  jerry_value_t e = part_args(args, argc, "partErase", label, true, &off, &len);
  if (e) return e;
  if (jw_part_erase(label, off, len) != 0) return jw_range_error("partErase", "unaligned or out of the partition");
  return jerry_undefined();
}

JW_HANDLER(jw_b_part_write) {
  (void)call;
  char label[17];
  uint32_t off, unused;
  jerry_value_t e = part_args(args, argc, "partWrite", label, false, &off, &unused);
  if (e) return e;
  if (argc < 3 || !jerry_value_is_arraybuffer(args[2])) return jw_type_error("partWrite", "data must be an ArrayBuffer");
  uint32_t n = jerry_arraybuffer_size(args[2]);
  if (jw_part_write(label, off, jerry_arraybuffer_data(args[2]), n) != 0) return jw_range_error("partWrite", "out of the partition");
  return jerry_undefined();
}

JW_HANDLER(jw_b_part_map) {
  (void)call;
  char label[17];
  uint32_t off, len;
  jerry_value_t e = part_args(args, argc, "partMap", label, true, &off, &len);
  if (e) return e;
  const uint8_t *p = jw_part_map(label, off, len);
  if (p == NULL) return jw_range_error("partMap", "out of the partition, empty, or an app partition (read those with partRead)");
  /* Not copied: the buffer is the flash cache. Writing into it from JS faults on the device (read-only map). */
  return jerry_arraybuffer_external((uint8_t *)(uintptr_t)p, len, &jw_mapped_tag);
}
