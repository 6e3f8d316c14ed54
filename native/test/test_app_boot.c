/* Unit tests of the app-image boot rule (docs/app-boot.md) over an in-memory state and fake slots. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "jw_app_boot.h"
#include "jw_test.h"

typedef struct {
  char slot[16], prev[16], rolled[128];
  int32_t trial;
  const char *good;   /* slots whose image is valid, e.g. "app_a,app_b" */
  const char *erased; /* slots whose header is all 0xFF */
  bool slot_absent;   /* appSlot never written (a freshly flashed board) */
  int writes;         /* state writes of any kind */
} fake_state_t;

static int f_get_str(void *c, const char *k, char *b, size_t n) {
  fake_state_t *s = c;
  if (strcmp(k, JW_KEY_APP_SLOT) == 0 && s->slot_absent) return -1;
  const char *v = strcmp(k, JW_KEY_APP_SLOT) == 0 ? s->slot : strcmp(k, JW_KEY_APP_PREV) == 0 ? s->prev : s->rolled;
  snprintf(b, n, "%s", v);
  return 0;
}
static int f_get_i32(void *c, const char *k, int32_t *o) {
  (void)k;
  *o = ((fake_state_t *)c)->trial;
  return 0;
}
static int f_set_str(void *c, const char *k, const char *v) {
  fake_state_t *s = c;
  char *dst = strcmp(k, JW_KEY_APP_SLOT) == 0 ? s->slot : strcmp(k, JW_KEY_APP_PREV) == 0 ? s->prev : s->rolled;
  snprintf(dst, strcmp(k, JW_KEY_APP_ROLLED) == 0 ? 128 : 16, "%s", v);
  if (strcmp(k, JW_KEY_APP_SLOT) == 0) s->slot_absent = false;
  s->writes++;
  return 0;
}
static int f_set_i32(void *c, const char *k, int32_t v) {
  (void)k;
  ((fake_state_t *)c)->trial = v;
  ((fake_state_t *)c)->writes++;
  return 0;
}
static bool listed(const char *list, const char *slot) { return list != NULL && strstr(list, slot) != NULL; }
static bool f_check(void *c, const char *slot, char *r, size_t n) {
  fake_state_t *s = c;
  if (listed(s->good, slot)) return true;
  snprintf(r, n, listed(s->erased, slot) ? "bad magic: not a jerrywatt app image" : "header CRC mismatch");
  return false;
}
static bool f_erased(void *c, const char *slot) { return listed(((fake_state_t *)c)->erased, slot); }

static jw_boot_choice_t boot(fake_state_t *s) {
  jw_boot_io_t io = {s, f_get_str, f_get_i32, f_set_str, f_set_i32, f_check, f_erased};
  jw_boot_choice_t c;
  jw_app_boot_decide(&io, &c);
  return c;
}

static fake_state_t state(const char *slot, const char *prev, int32_t trial, const char *good) {
  fake_state_t s;
  memset(&s, 0, sizeof s);
  snprintf(s.slot, sizeof s.slot, "%s", slot);
  snprintf(s.prev, sizeof s.prev, "%s", prev);
  s.trial = trial;
  s.good = good;
  return s;
}

static fake_state_t fresh(const char *good, const char *erased) {
  fake_state_t s = state("", "", 0, good);
  s.erased = erased;
  s.slot_absent = true;
  return s;
}

static void boot_rule_paths(void) {
  fake_state_t s = state("", "", 0, "app_a,app_b");
  jw_boot_choice_t c = boot(&s);
  CHECK_STR(c.slot, ""); /* empty appSlot, set by an earlier roll-back: embedded, app_a not tried */
  CHECK(s.writes == 0);

  fake_state_t n = state("app_b", "app_a", 1, "app_a,app_b");
  c = boot(&n); /* new image: probation boot */
  CHECK_STR(c.slot, "app_b");
  CHECK(c.probation && n.trial == 2);
  c = boot(&n); /* not confirmed: roll back to app_a */
  CHECK_STR(c.slot, "app_a");
  CHECK(!c.probation && n.trial == 0);
  CHECK_STR(n.slot, "app_a");
  CHECK_STR(n.rolled, "probation failed: app_b");

  fake_state_t bad = state("app_b", "app_a", 0, "app_a");
  c = boot(&bad); /* invalid image: previous slot */
  CHECK_STR(c.slot, "app_a");
  CHECK_STR(bad.rolled, "app_b: header CRC mismatch");

  fake_state_t both = state("app_b", "app_a", 1, "");
  c = boot(&both); /* both invalid: embedded */
  CHECK_STR(c.slot, "");
  CHECK(!c.probation && both.trial == 0);

  fake_state_t odd = state("factory", "", 0, "factory");
  c = boot(&odd);
  CHECK_STR(c.slot, "");
  CHECK_STR(odd.rolled, "factory: unknown slot");
}

/* flash --app-only on a fresh board: app_a runs, and nothing is written (the first app OTA then targets app_b). */
static void boot_fresh_board_runs_valid_app_a(void) {
  fake_state_t s = fresh("app_a,app_b", NULL);
  jw_boot_choice_t c = boot(&s);
  CHECK_STR(c.slot, "app_a");
  CHECK(!c.probation);
  CHECK_STR(c.rolled, "");
  CHECK(s.writes == 0 && s.slot_absent);
}

static void boot_fresh_board_skips_erased_app_a(void) {
  fake_state_t s = fresh("app_b", "app_a");
  jw_boot_choice_t c = boot(&s);
  CHECK_STR(c.slot, ""); /* embedded; app_b alone is never tried */
  CHECK_STR(c.rolled, "");
  CHECK(s.writes == 0 && s.slot_absent);
}

static void boot_fresh_board_notes_invalid_app_a(void) {
  fake_state_t s = fresh("", NULL);
  jw_boot_choice_t c = boot(&s);
  CHECK_STR(c.slot, "");
  CHECK_STR(c.rolled, "app_a: header CRC mismatch");
  CHECK_STR(s.rolled, "app_a: header CRC mismatch");
  CHECK(s.writes == 1 && s.slot_absent); /* appRolled only */
}

/* The first OTA went into app_a while the embedded app ran (appPrev ""), and failed its probation: the roll-back
 * sets appSlot = "", and the refused image in app_a must not run again. */
static void boot_rolled_back_first_ota_stays_embedded(void) {
  fake_state_t s = state("app_a", "", 2, "app_a");
  jw_boot_choice_t c = boot(&s);
  CHECK_STR(c.slot, "");
  CHECK_STR(s.rolled, "probation failed: app_a");
  CHECK(!s.slot_absent && s.slot[0] == '\0' && s.trial == 0);
  c = boot(&s);
  CHECK_STR(c.slot, "");
}

void run_app_boot_tests(void);
void run_app_boot_tests(void) {
  TEST(boot_rule_paths);
  TEST(boot_fresh_board_runs_valid_app_a);
  TEST(boot_fresh_board_skips_erased_app_a);
  TEST(boot_fresh_board_notes_invalid_app_a);
  TEST(boot_rolled_back_first_ota_stays_embedded);
}
