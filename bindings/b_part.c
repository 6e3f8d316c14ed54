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

static bool range_args(const jerry_value_t args[], jerry_length_t argc, uint32_t *off, uint32_t *len) {
  if (!jw_is_number(args, argc, 1) || !jw_is_number(args, argc, 2)) return false;
  double o = jw_num(args, argc, 1), l = jw_num(args, argc, 2);
  if (!(o >= 0 && l >= 0 && o <= 0xffffffffu && l <= 0xffffffffu)) return false;
  *off = (uint32_t)o;
  *len = (uint32_t)l;
  return true;
}

JW_HANDLER(jw_b_part_read) {
  (void)call;
  char label[17];
  uint32_t off, len;
  if (!label_arg(args, argc, label) || !range_args(args, argc, &off, &len)) return jw_type_error("partRead", "(label, offset, length)");
  if (len > PART_IO_MAX) return jerry_throw_sz(JERRY_ERROR_RANGE, "native.partRead: length over 64 KB");
  jerry_value_t ab = jerry_arraybuffer(len);
  if (jerry_value_is_exception(ab)) return ab;
  if (len && jw_part_read(label, off, jerry_arraybuffer_data(ab), len) != 0) {
    jerry_value_free(ab);
    return jerry_throw_sz(JERRY_ERROR_RANGE, "native.partRead: out of the partition");
  }
  return ab;
}

JW_HANDLER(jw_b_part_erase) {
  (void)call;
  char label[17];
  uint32_t off, len;
  if (!label_arg(args, argc, label) || !range_args(args, argc, &off, &len)) return jw_type_error("partErase", "(label, offset, length)");
  if (jw_part_erase(label, off, len) != 0) return jerry_throw_sz(JERRY_ERROR_RANGE, "native.partErase: unaligned or out of the partition");
  return jerry_undefined();
}

JW_HANDLER(jw_b_part_write) {
  (void)call;
  char label[17];
  if (!label_arg(args, argc, label) || !jw_is_number(args, argc, 1) || argc < 3 || !jerry_value_is_arraybuffer(args[2]))
    return jw_type_error("partWrite", "(label, offset, data: ArrayBuffer)");
  double off = jw_num(args, argc, 1);
  uint32_t n = jerry_arraybuffer_size(args[2]);
  if (!(off >= 0 && off <= 0xffffffffu) || jw_part_write(label, (uint32_t)off, jerry_arraybuffer_data(args[2]), n) != 0)
    return jerry_throw_sz(JERRY_ERROR_RANGE, "native.partWrite: out of the partition");
  return jerry_undefined();
}

JW_HANDLER(jw_b_part_map) {
  (void)call;
  char label[17];
  uint32_t off, len;
  if (!label_arg(args, argc, label) || !range_args(args, argc, &off, &len)) return jw_type_error("partMap", "(label, offset, length)");
  const uint8_t *p = jw_part_map(label, off, len);
  if (p == NULL) return jerry_throw_sz(JERRY_ERROR_RANGE, "native.partMap: out of the partition");
  /* Not copied: the buffer is the flash cache. Writing into it from JS faults on the device (read-only map). */
  return jerry_arraybuffer_external((uint8_t *)(uintptr_t)p, len, &jw_mapped_tag);
}
