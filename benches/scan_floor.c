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
 *   uring the same as head, but a folder's files go in io_uring batches of 64 open → read →
 *         close chains on direct descriptors, as certvault does (built with -DHAVE_LIBURING
 *         -luring only)
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
#ifdef HAVE_LIBURING
#include <liburing.h>
#define BATCH 64
#endif

struct linux_dirent64 {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

enum mode { LIST, SIZE, HEAD, URING };
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

#ifdef HAVE_LIBURING
/* One batch: open (into slot i) → read 64 bytes → close, for every name; waits for all. The
 * names are freed. (heads is shared by the threads: nothing reads it, it is only a target.) */
static void read_heads(struct io_uring *ring, int dfd, char **names, int n, char heads[][64]) {
    for (int i = 0; i < n; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
        io_uring_prep_openat_direct(sqe, dfd, names[i], O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOATIME, 0, i);
        sqe->flags |= IOSQE_IO_LINK;
        sqe = io_uring_get_sqe(ring);
        io_uring_prep_read(sqe, i, heads[i], 64, 0);
        sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
        sqe = io_uring_get_sqe(ring);
        io_uring_prep_close_direct(sqe, i);
    }
    io_uring_submit_and_wait(ring, 3 * n);
    int seen = 0;
    while (seen < 3 * n) {
        struct io_uring_cqe *cqe;
        if (io_uring_wait_cqe(ring, &cqe) < 0) break;
        io_uring_cqe_seen(ring, cqe);
        seen++;
    }
    for (int i = 0; i < n; i++) free(names[i]);
}
#endif

static void *worker(void *arg) {
    (void)arg;
    char *buf = malloc(1 << 16);
    unsigned long long files = 0;
#ifdef HAVE_LIBURING
    struct io_uring ring;
    static char heads[BATCH][64];
    char *batch[BATCH];
    int in_batch = 0;
    if (mode == URING) {
        if (io_uring_queue_init(4 * BATCH, &ring, IORING_SETUP_SINGLE_ISSUER) < 0 ||
            io_uring_register_files_sparse(&ring, BATCH) < 0) {
            fprintf(stderr, "no io_uring here\n");
            exit(2);
        }
    }
#endif
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
#ifdef HAVE_LIBURING
                        else if (mode == URING) {
                            batch[in_batch++] = strdup(name);
                            if (in_batch == BATCH) {
                                read_heads(&ring, dfd, batch, in_batch, heads);
                                in_batch = 0;
                            }
                        }
#endif
                    }
                }
            }
#ifdef HAVE_LIBURING
            if (mode == URING && in_batch) {
                read_heads(&ring, dfd, batch, in_batch, heads);
                in_batch = 0;
            }
#endif
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
        fprintf(stderr, "usage: %s list|size|head|uring ROOT [THREADS]\n", argv[0]);
        return 2;
    }
    mode = !strcmp(argv[1], "list") ? LIST : !strcmp(argv[1], "size") ? SIZE : !strcmp(argv[1], "head") ? HEAD : 99;
#ifdef HAVE_LIBURING
    if (!strcmp(argv[1], "uring")) mode = URING;
#endif
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
