//! Reading the first bytes ([`super::sniff::HEAD_LEN`]) of many files of one folder at once.
//!
//! On Linux an `io_uring` takes a batch of `openat` → `read` → `close` chains (the files held
//! as the ring's own "direct" descriptors, never in the process's table) in one system call
//! instead of three per file: about a sixth less CPU time on a tree of small files, where the
//! kernel's open/read/close is almost all of the scan's cost. Where the kernel refuses a ring
//! (older than 5.19, `kernel.io_uring_disabled`, a seccomp filter: `ENOSYS`, `EPERM`,
//! `EINVAL`…), or on other systems, [`Heads::read`] answers `None` for every file and the walk
//! opens them one by one, as before.
//!
//! The batch only says which files are certainly nothing to look at: a file whose head is
//! anything but a full head of something else (an error, a short read, a PKCS#12 or ZIP
//! head) is examined again the ordinary way, so every rule of the walk (links
//! not followed, errors noted, the access time kept) stays in one place.

#[cfg(unix)]
use std::ffi::CStr;
#[cfg(unix)]
use std::os::fd::BorrowedFd;

#[cfg(target_os = "linux")]
use super::sniff::HEAD_LEN;

/// How many files go into one batch (three ring entries each).
pub const BATCH: usize = 64;

/// One worker thread's batch reader.
pub struct Heads {
    #[cfg(target_os = "linux")]
    ring: Option<linux::Ring>,
}

impl Heads {
    /// A reader for this thread: an `io_uring` where the kernel gives one (and `enabled`).
    pub fn new(enabled: bool) -> Heads {
        #[cfg(target_os = "linux")]
        {
            Heads { ring: if enabled { linux::Ring::new() } else { None } }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = enabled;
            Heads {}
        }
    }

    /// Whether [`Heads::read`] batches (else every answer is `None`).
    pub fn batching(&self) -> bool {
        #[cfg(target_os = "linux")]
        {
            self.ring.is_some()
        }
        #[cfg(not(target_os = "linux"))]
        {
            false
        }
    }

    /// Reads the first bytes ([`super::sniff::HEAD_LEN`]) of each of the files `names` (at most
    /// [`BATCH`]) in the folder `dir`, calling `each(i, head)` for the `i`-th: `Some(head)` when
    /// that many bytes were read, `None` when the file is to be examined the ordinary way.
    #[cfg(unix)]
    pub fn read(&mut self, dir: BorrowedFd<'_>, names: &[&CStr], mut each: impl FnMut(usize, Option<&[u8]>)) {
        assert!(names.len() <= BATCH);
        #[cfg(target_os = "linux")]
        if let Some(ring) = &mut self.ring {
            match ring.read(dir, names) {
                Ok(heads) => {
                    for (i, head) in heads.iter().enumerate().take(names.len()) {
                        each(i, head.as_ref().map(|h| &h[..]));
                    }
                    return;
                }
                // The ring failed in a way it cannot recover from: the ordinary way from now on.
                Err(_) => self.ring = None,
            }
        }
        let _ = dir;
        for i in 0..names.len() {
            each(i, None);
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::CStr;
    use std::io;
    use std::os::fd::{AsRawFd, BorrowedFd};

    use io_uring::{opcode, squeue, types, IoUring};

    use super::{BATCH, HEAD_LEN};

    /// The answer of one batch: each file's head, or `None`.
    pub type Answers = [Option<[u8; HEAD_LEN]>; BATCH];

    pub struct Ring {
        ring: IoUring,
        /// Where the kernel writes the heads; boxed so that it stays put, and leaked with the
        /// ring if a batch cannot be waited for to the end (see [`Ring::read`]).
        bufs: Option<Box<[[u8; HEAD_LEN]; BATCH]>>,
        answers: Box<Answers>,
    }

    impl Ring {
        /// A ring with [`BATCH`] direct-descriptor slots, or `None` where the kernel refuses.
        pub fn new() -> Option<Ring> {
            let entries = (3 * BATCH).next_power_of_two() as u32;
            // Single issuer (6.0) lets the kernel skip some locking; older kernels refuse it.
            let ring = IoUring::builder()
                .setup_single_issuer()
                .build(entries)
                .or_else(|_| IoUring::new(entries))
                .ok()?;
            // Sparse direct-descriptor table (5.19): `openat` puts each file into a slot of it.
            ring.submitter().register_files_sparse(BATCH as u32).ok()?;
            Some(Ring {
                ring,
                bufs: Some(Box::new([[0; HEAD_LEN]; BATCH])),
                answers: Box::new([None; BATCH]),
            })
        }

        /// One batch: `openat` (into slot `i`, not following links, without blocking on a
        /// FIFO, without touching the access time) → `read` of [`HEAD_LEN`] bytes at offset 0
        /// → `close` of the slot, for every name; waits for all of them. `Err` when the ring
        /// itself failed (then it must not be used again).
        #[cfg(unix)]
        pub fn read(&mut self, dir: BorrowedFd<'_>, names: &[&CStr]) -> io::Result<&Answers> {
            let bufs = self.bufs.as_mut().ok_or_else(|| io::Error::other("ring abandoned"))?;
            // Direct descriptors refuse O_CLOEXEC (they are never in the process's table).
            let flags = libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOATIME;
            let dirfd = types::Fd(dir.as_raw_fd());
            {
                let mut sq = self.ring.submission();
                for (i, name) in names.iter().enumerate() {
                    let slot = types::DestinationSlot::try_from_slot_target(i as u32)
                        .map_err(|_| io::Error::other("slot"))?;
                    let base = 3 * i as u64;
                    // Open; if it fails, the read and the close are cancelled with it (LINK).
                    let open = opcode::OpenAt::new(dirfd, name.as_ptr())
                        .flags(flags)
                        .file_index(Some(slot))
                        .build()
                        .flags(squeue::Flags::IO_LINK)
                        .user_data(base);
                    // Read; the close runs even if the read fails (HARDLINK).
                    let read =
                        opcode::Read::new(types::Fixed(i as u32), bufs[i].as_mut_ptr(), HEAD_LEN as u32)
                            .offset(0)
                            .build()
                            .flags(squeue::Flags::IO_HARDLINK)
                            .user_data(base + 1);
                    let close = opcode::Close::new(types::Fixed(i as u32)).build().user_data(base + 2);
                    // SAFETY: the entries point at `name` (borrowed by the caller until this
                    // function returns, and copied by the kernel when it takes the open), at
                    // the folder's descriptor (borrowed likewise) and at `bufs[i]`, which is
                    // heap memory owned by `self` that nothing else reads or writes until every
                    // completion of this batch has been reaped below, and which is leaked,
                    // never freed, if that cannot be done. The ring has room for 3 × BATCH
                    // entries and is empty between batches, so the pushes cannot fail.
                    unsafe {
                        for entry in [&open, &read, &close] {
                            sq.push(entry).map_err(|_| io::Error::other("submission queue full"))?;
                        }
                    }
                }
            }
            self.answers.fill(None);
            let mut left = 3 * names.len();
            while left > 0 {
                match self.ring.submit_and_wait(left) {
                    Ok(_) => {}
                    Err(e) if matches!(e.raw_os_error(), Some(libc::EINTR | libc::EAGAIN | libc::EBUSY)) => {}
                    Err(e) => {
                        // Requests may still be in flight and write into `bufs`: never free it.
                        if let Some(bufs) = self.bufs.take() {
                            Box::leak(bufs);
                        }
                        return Err(e);
                    }
                }
                for cqe in self.ring.completion() {
                    left -= 1;
                    let (i, step) = ((cqe.user_data() / 3) as usize, cqe.user_data() % 3);
                    if step == 1 && cqe.result() == HEAD_LEN as i32 && i < names.len() {
                        self.answers[i] = Some(bufs[i]);
                    }
                }
            }
            Ok(&self.answers)
        }
    }
}
