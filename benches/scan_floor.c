/* The floor under `certvault scan` on Linux: the least a walk that looks at every file can
 * cost, with none of certvault's work (no parsing, no results, no progress). benches/scan.sh
 * builds it and prints its rows next to find's, so a ratio to find can be read against what
 * the kernel alone costs.
 *
 * usage: scan_floor MODE ROOT [THREADS]
 *   list  getdents64 only, like `find -name` (which never opens a file)
 *   size  plus statx(STATX_SIZE) of every regular file: what a size window costs on a file
 *         system whose folder listing has no sizes (ext4, xfs, btrfs)
 *   head  plus openat + read of the first 64 bytes + close of every regular file
 * THREADS (default: the number of CPUs) take folders from one shared stack. Prints the
 * number of files seen, so a run can be checked against find's count. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

enum mode { LIST, SIZE, HEAD };
static enum mode mode;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static char **stack;
static size_t depth, room, busy;
static unsigned long long files_total;

static void push(char *path) {
    if (depth == room) {
        room = room ? 2 * room : 1024;
        stack = realloc(stack, room * sizeof *stack);
        if (!stack) abort();
    }
    stack[depth++] = path;
}

static void *worker(void *arg) {
    (void)arg;
    char *buf = malloc(1 << 16);
    unsigned long long files = 0;
    for (;;) {
        pthread_mutex_lock(&lock);
        while (depth == 0 && busy > 0) pthread_cond_wait(&more, &lock);
        if (depth == 0) {
            pthread_cond_broadcast(&more);
            files_total += files;
            pthread_mutex_unlock(&lock);
            free(buf);
            return NULL;
        }
        char *dir = stack[--depth];
        busy++;
        pthread_mutex_unlock(&lock);

        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0) {
            long n;
            while ((n = syscall(SYS_getdents64, dfd, buf, 1 << 16)) > 0) {
                for (long at = 0; at < n;) {
                    struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + at);
                    at += e->d_reclen;
                    const char *name = e->d_name;
                    if (name[0] == '.' && (name[1] == 0 || (name[1] == '.' && name[2] == 0))) continue;
                    if (e->d_type == DT_DIR) {
                        size_t len = strlen(dir) + strlen(name) + 2;
                        char *child = malloc(len);
                        snprintf(child, len, "%s/%s", dir, name);
                        pthread_mutex_lock(&lock);
                        push(child);
                        pthread_cond_signal(&more);
                        pthread_mutex_unlock(&lock);
                    } else if (e->d_type == DT_REG) {
                        files++;
                        if (mode == SIZE) {
                            struct statx st;
                            statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, STATX_SIZE, &st);
                        } else if (mode == HEAD) {
                            int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOATIME | O_CLOEXEC);
                            if (fd >= 0) {
                                char head[64];
                                if (read(fd, head, sizeof head) < 0) perror(name);
                                close(fd);
                            }
                        }
                    }
                }
            }
            close(dfd);
        }
        free(dir);
        pthread_mutex_lock(&lock);
        busy--;
        if (depth == 0 && busy == 0) pthread_cond_broadcast(&more);
        pthread_mutex_unlock(&lock);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s list|size|head ROOT [THREADS]\n", argv[0]);
        return 2;
    }
    mode = !strcmp(argv[1], "list") ? LIST : !strcmp(argv[1], "size") ? SIZE : !strcmp(argv[1], "head") ? HEAD : 99;
    if (mode == 99) {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    long threads = argc > 3 ? atol(argv[3]) : sysconf(_SC_NPROCESSORS_ONLN);
    if (threads < 1) threads = 1;
    push(strdup(argv[2]));
    pthread_t *t = calloc(threads, sizeof *t);
    for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, NULL);
    for (long i = 0; i < threads; i++) pthread_join(t[i], NULL);
    printf("%llu\n", files_total);
    return 0;
}
