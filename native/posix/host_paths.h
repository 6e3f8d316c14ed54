/* Where the host twin keeps what the device keeps in flash: JW_HOST_DIR (default ./.jerrywatt/host, git-ignored). */
#ifndef JW_HOST_PATHS_H
#define JW_HOST_PATHS_H
#include <stddef.h>
const char *jw_host_dir(void);
/* Creates `dir/sub` (and parents up to one level) and writes it into out. */
int jw_host_path(char *out, size_t len, const char *sub);
#endif
