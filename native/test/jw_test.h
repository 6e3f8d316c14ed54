/* A small TAP runner: "ok N - name" / "not ok N - name" lines and a summary; exit 1 on any failure. */
#ifndef JW_TEST_H
#define JW_TEST_H
#include <stdio.h>
#include <string.h>

extern int jw_t_count, jw_t_failed, jw_t_case_failed;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("#   %s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);      \
      jw_t_case_failed = 1;                                                    \
    }                                                                          \
  } while (0)

#define CHECK_STR(a, b)                                                        \
  do {                                                                         \
    if (strcmp((a), (b)) != 0) {                                               \
      printf("#   %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__, (a), (b));   \
      jw_t_case_failed = 1;                                                    \
    }                                                                          \
  } while (0)

#define TEST(fn) jw_t_run(#fn, fn)

static inline void jw_t_run(const char *name, void (*fn)(void)) {
  jw_t_case_failed = 0;
  fn();
  jw_t_count++;
  if (jw_t_case_failed) jw_t_failed++;
  printf("%s %d - %s\n", jw_t_case_failed ? "not ok" : "ok", jw_t_count, name);
  fflush(stdout);
}

static inline void jw_t_skip(const char *name, const char *why) {
  jw_t_count++;
  printf("ok %d - %s # SKIP %s\n", jw_t_count, name, why);
}
#endif
