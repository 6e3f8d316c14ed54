/* Flash partitions on the host: sizes from partitions.csv (JW_PARTITIONS, default ./partitions.csv), contents in
 * <JW_HOST_DIR>/flash/<label>.bin, created erased (0xFF). Writes follow NOR rules (bits only clear). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "host_paths.h"
#include "jw_part.h"

#define ERASE 4096u

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) *--e = '\0';
  return s;
}

/* One partitions.csv row by label; *is_app tells app-type partitions (ota_0/ota_1) apart. */
static int lookup(const char *label, jw_part_info_t *out, int *is_app) {
  const char *csv = getenv("JW_PARTITIONS");
  FILE *f = fopen(csv && *csv ? csv : "partitions.csv", "r");
  if (f == NULL) return -1;
  char line[256];
  int found = -1;
  while (found != 0 && fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    char *fields[6] = {0};
    int n = 0;
    for (char *tok = strtok(line, ","); tok && n < 6; tok = strtok(NULL, ",")) fields[n++] = trim(tok);
    if (n < 5 || strcmp(fields[0], label) != 0 || strlen(label) > 16) continue;
    snprintf(out->label, sizeof out->label, "%s", label);
    out->address = (uint32_t)strtoul(fields[3], NULL, 0);
    out->size = (uint32_t)strtoul(fields[4], NULL, 0);
    out->erase_size = ERASE;
    if (is_app) *is_app = strcmp(fields[1], "app") == 0;
    found = 0;
  }
  fclose(f);
  return found;
}

int jw_part_info(const char *label, jw_part_info_t *out) { return lookup(label, out, NULL); }

static int open_part(const char *label, jw_part_info_t *info, int flags) {
  char dir[512], p[600];
  if (jw_part_info(label, info) != 0 || jw_host_path(dir, sizeof dir, "flash") != 0) return -1;
  snprintf(p, sizeof p, "%s/%s.bin", dir, label);
  int fd = open(p, flags | O_CREAT, 0644);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) == 0 && st.st_size != (off_t)info->size) {
    /* A new (or resized) partition starts erased. */
    uint8_t ff[ERASE];
    memset(ff, 0xFF, sizeof ff);
    if (ftruncate(fd, 0) != 0) {
      close(fd);
      return -1;
    }
    for (uint32_t off = 0; off < info->size; off += ERASE)
      if (pwrite(fd, ff, ERASE, off) != (ssize_t)ERASE) {
        close(fd);
        return -1;
      }
  }
  return fd;
}

static int in_range(const jw_part_info_t *i, uint32_t off, uint32_t len) { return off <= i->size && len <= i->size - off; }

int jw_part_read(const char *label, uint32_t off, void *dst, uint32_t len) {
  jw_part_info_t i;
  int fd = open_part(label, &i, O_RDWR);
  if (fd < 0) return -1;
  int ok = in_range(&i, off, len) && pread(fd, dst, len, off) == (ssize_t)len;
  close(fd);
  return ok ? 0 : -1;
}

int jw_part_erase(const char *label, uint32_t off, uint32_t len) {
  jw_part_info_t i;
  if (off % ERASE || len % ERASE) return -1;
  int fd = open_part(label, &i, O_RDWR);
  if (fd < 0) return -1;
  uint8_t ff[ERASE];
  memset(ff, 0xFF, sizeof ff);
  int ok = in_range(&i, off, len);
  for (uint32_t o = off; ok && o < off + len; o += ERASE) ok = pwrite(fd, ff, ERASE, o) == (ssize_t)ERASE;
  close(fd);
  return ok ? 0 : -1;
}

int jw_part_write(const char *label, uint32_t off, const void *src, uint32_t len) {
  jw_part_info_t i;
  int fd = open_part(label, &i, O_RDWR);
  if (fd < 0) return -1;
  int ok = in_range(&i, off, len);
  const uint8_t *s = src;
  uint8_t chunk[ERASE];
  for (uint32_t done = 0; ok && done < len;) {
    uint32_t n = len - done < ERASE ? len - done : ERASE;
    ok = pread(fd, chunk, n, off + done) == (ssize_t)n;
    for (uint32_t k = 0; ok && k < n; k++) chunk[k] &= s[done + k]; /* NOR: a write only clears bits */
    ok = ok && pwrite(fd, chunk, n, off + done) == (ssize_t)n;
    done += n;
  }
  close(fd);
  return ok ? 0 : -1;
}

/* Maps are made once per partition and kept, as on the device (native/esp/part.c): the JS side may hold an
 * ArrayBuffer over one, and a caller may map once per OTA frame. Same table size as the device, so the host runs
 * out of maps where the device would. */
static struct {
  char label[17];
  const uint8_t *base;
  uint32_t size;
} maps[JW_PART_MAPS];

const uint8_t *jw_part_map(const char *label, uint32_t off, uint32_t len) {
  for (int k = 0; k < JW_PART_MAPS; k++)
    if (maps[k].base != NULL && strcmp(maps[k].label, label) == 0) {
      jw_part_info_t i = {.size = maps[k].size};
      return in_range(&i, off, len) && len != 0 ? maps[k].base + off : NULL;
    }
  jw_part_info_t i;
  int is_app = 0;
  /* partMap is for data partitions; firmware slots are read with partRead (the device refuses them too). */
  if (lookup(label, &i, &is_app) != 0 || is_app || !in_range(&i, off, len) || len == 0) return NULL;
  int slot = -1;
  for (int k = 0; k < JW_PART_MAPS && slot < 0; k++)
    if (maps[k].base == NULL) slot = k;
  if (slot < 0) return NULL;
  int fd = open_part(label, &i, O_RDWR);
  if (fd < 0) return NULL;
  /* The whole partition, shared, so later writes show through as on the device's flash cache. */
  void *p = mmap(NULL, i.size, PROT_READ, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return NULL;
  snprintf(maps[slot].label, sizeof maps[slot].label, "%s", label);
  maps[slot].base = p;
  maps[slot].size = i.size;
  return maps[slot].base + off;
}
