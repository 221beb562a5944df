//! FAT semantics (issue 7, build 1). The kernel here has no vfat driver, so the write
//! sequences of `certvault_core::durable` — the same code the binary runs, through its `Medium`
//! trait — are run on a FAT image written by the `fatfs` crate, and the power is cut after
//! every single write to the image: each resulting image must hold the old or the new
//! content, and recovery must leave the folder clean. FAT cannot rename over an existing name
//! and loses the entry being renamed if interrupted mid-rename; both are exercised here.
//! Also: the names a vault uses survive FAT (long names, case-insensitive lookup) and nothing
//! depends on FAT's 2-second modification times.

use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::rc::Rc;

use certvault_core::durable::{self, Medium};

type Log = Rc<RefCell<Vec<(u64, Vec<u8>)>>>;

/// A disk image in memory; when `log` is set, every write is also recorded.
struct Disk {
    data: Vec<u8>,
    pos: u64,
    log: Option<Log>,
}

impl Read for Disk {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = (self.pos as usize).min(self.data.len());
        let n = buf.len().min(self.data.len() - start);
        buf[..n].copy_from_slice(&self.data[start..start + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Write for Disk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let start = self.pos as usize;
        if start + buf.len() > self.data.len() {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "end of the image"));
        }
        self.data[start..start + buf.len()].copy_from_slice(buf);
        if let Some(log) = &self.log {
            log.borrow_mut().push((self.pos, buf.to_vec()));
        }
        self.pos += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Disk {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.pos = match pos {
            SeekFrom::Start(p) => p,
            SeekFrom::End(d) => (self.data.len() as i64 + d) as u64,
            SeekFrom::Current(d) => (self.pos as i64 + d) as u64,
        };
        Ok(self.pos)
    }
}

type Fs = fatfs::FileSystem<Disk>;

/// The root folder of a FAT volume, as certvault's write sequences see a folder.
struct FatFolder<'a>(&'a Fs, Option<Log>);

/// Marks the end of one file-system operation in the write log: the power can go there.
const BARRIER: u64 = u64::MAX;

impl FatFolder<'_> {
    fn done<T>(&self, r: io::Result<T>) -> io::Result<T> {
        if let Some(log) = &self.1 {
            log.borrow_mut().push((BARRIER, Vec::new()));
        }
        r
    }
}

impl Medium for FatFolder<'_> {
    fn exists(&self, name: &str) -> bool {
        self.names().is_ok_and(|v| v.iter().any(|n| n.eq_ignore_ascii_case(name)))
    }

    fn create_synced(&self, name: &str, bytes: &[u8]) -> io::Result<()> {
        if self.exists(name) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, name.to_string()));
        }
        let mut f = self.0.root_dir().create_file(name)?;
        f.write_all(bytes)?;
        let r = f.flush();
        drop(f);
        self.done(r)
    }

    fn read(&self, name: &str) -> io::Result<Vec<u8>> {
        let mut v = Vec::new();
        self.0.root_dir().open_file(name)?.read_to_end(&mut v)?;
        Ok(v)
    }

    fn rename(&self, from: &str, to: &str) -> io::Result<()> {
        let root = self.0.root_dir();
        self.done(root.rename(from, &root, to))
    }

    fn remove(&self, name: &str) -> io::Result<()> {
        self.done(self.0.root_dir().remove(name))
    }

    fn sync(&self) {}

    fn names(&self) -> io::Result<Vec<String>> {
        let mut v = Vec::new();
        for e in self.0.root_dir().iter() {
            let name = e?.file_name();
            if name != "." && name != ".." {
                v.push(name);
            }
        }
        Ok(v)
    }
}

fn blank_image() -> Vec<u8> {
    let mut disk = Disk { data: vec![0; 2 * 1024 * 1024], pos: 0, log: None };
    fatfs::format_volume(&mut disk, fatfs::FormatVolumeOptions::new()).unwrap();
    disk.data
}

fn mount(data: Vec<u8>, log: Option<Log>) -> Fs {
    fatfs::FileSystem::new(Disk { data, pos: 0, log }, fatfs::FsOptions::new()).unwrap()
}

/// Runs `f` on the volume in `image`, returns the image afterwards and the writes made.
fn with_fs(image: Vec<u8>, f: impl FnOnce(&FatFolder)) -> (Vec<u8>, Vec<(u64, Vec<u8>)>) {
    let log: Log = Rc::default();
    let shadow = Rc::new(RefCell::new(image.clone()));
    {
        let fs = mount(image, Some(log.clone()));
        f(&FatFolder(&fs, Some(log.clone())));
        fs.unmount().unwrap();
    }
    let writes = log.borrow().clone();
    let mut data = shadow.borrow().clone();
    apply(&mut data, &writes);
    (data, writes)
}

fn apply(data: &mut [u8], writes: &[(u64, Vec<u8>)]) {
    for (at, bytes) in writes.iter().filter(|w| w.0 != BARRIER) {
        data[*at as usize..*at as usize + bytes.len()].copy_from_slice(bytes);
    }
}

const SECTOR: u64 = 512;

/// Where the power can go: after each file-system operation, and between two sector writes
/// within one. `fatfs` writes a directory entry field by field, but a disk (and the OS's cache
/// in front of it) writes whole 512-byte sectors, so consecutive writes to one sector within
/// an operation reach the medium together.
fn cut_points(writes: &[(u64, Vec<u8>)]) -> Vec<usize> {
    let sector = |w: &(u64, Vec<u8>)| (w.0 / SECTOR, (w.0 + w.1.len().max(1) as u64 - 1) / SECTOR);
    let mut points = vec![0];
    for k in 1..writes.len() {
        let (a, b) = (&writes[k - 1], &writes[k]);
        if a.0 == BARRIER || (b.0 != BARRIER && sector(a) != sector(b)) {
            points.push(k);
        }
    }
    points.push(writes.len());
    points.dedup();
    points
}

/// The image as it is when the power goes after the first `k` writes.
fn cut_after(base: &[u8], writes: &[(u64, Vec<u8>)], k: usize) -> Vec<u8> {
    let mut data = base.to_vec();
    apply(&mut data, &writes[..k]);
    data
}

const OLD: &[u8] = b"the old unlock.age, encrypted with the old passphrase";

fn new_content() -> Vec<u8> {
    // Longer than a cluster, so that the new file spans several FAT chain updates.
    (0..5000u32).flat_map(|i| i.to_le_bytes()).collect()
}

fn sorted_names(m: &FatFolder) -> Vec<String> {
    let mut v = m.names().unwrap();
    v.sort();
    v
}

#[test]
fn replacing_a_file_on_fat_survives_a_power_cut_after_every_write() {
    let new = new_content();
    let (base, _) = with_fs(blank_image(), |m| {
        durable::write_new(m, "vault.json", b"{}").unwrap();
        durable::write_new(m, "unlock.age", OLD).unwrap();
    });
    let (_, writes) = with_fs(base.clone(), |m| durable::replace(m, "unlock.age", &new).unwrap());
    assert!(writes.len() > 20, "the replacement makes many small writes ({})", writes.len());
    let writes_only = writes.iter().filter(|w| w.0 != BARRIER).count();
    let (mut old_seen, mut new_seen, mut repaired) = (0, 0, 0);
    let points = cut_points(&writes);
    for &k in &points {
        let fs = mount(cut_after(&base, &writes, k), None);
        let m = FatFolder(&fs, None);
        // A reader without the write lock finds the old or the new content, nothing else.
        let seen = durable::read_current(&m, "unlock.age")
            .unwrap_or_else(|e| panic!("power cut after write {k}: unlock.age is gone ({e})"));
        assert!(seen == OLD || seen == new, "power cut after write {k}: a reader sees neither old nor new");
        // The next writer repairs: one file, old or new, and the one the reader saw.
        let r = durable::recover(&m);
        repaired += !r.restored.is_empty() as usize;
        assert_eq!(sorted_names(&m), ["unlock.age", "vault.json"], "power cut after write {k}");
        let now = m.read("unlock.age").unwrap();
        if now == OLD {
            old_seen += 1;
        } else {
            assert_eq!(now, new, "power cut after write {k}");
            new_seen += 1;
        }
        assert_eq!(now, seen, "power cut after write {k}: the repair keeps what readers saw");
        drop(fs);
    }
    println!(
        "FAT replace: {} power-cut points ({} writes), old {old_seen} / new {new_seen} / other 0, \
         {repaired} needed a rename put back",
        points.len(),
        writes_only
    );
    assert!(old_seen > 0 && new_seen > 0);
    assert!(repaired > 0, "some cut fell between the renames, where recovery renames back");
}

#[test]
fn a_new_file_on_fat_is_absent_or_whole_after_a_power_cut_after_every_write() {
    let bytes = new_content();
    let (base, _) = with_fs(blank_image(), |m| durable::write_new(m, "vault-1.age", b"gen 1").unwrap());
    let (_, writes) = with_fs(base.clone(), |m| durable::write_new(m, "vault-2.age", &bytes).unwrap());
    let (mut absent, mut whole) = (0, 0);
    let points = cut_points(&writes);
    for &k in &points {
        let fs = mount(cut_after(&base, &writes, k), None);
        let m = FatFolder(&fs, None);
        assert_eq!(m.read("vault-1.age").unwrap(), b"gen 1", "power cut after write {k}");
        match m.read("vault-2.age") {
            Ok(b) => {
                assert_eq!(b, bytes, "power cut after write {k}: vault-2.age is there but not whole");
                whole += 1;
            }
            Err(_) => absent += 1,
        }
        durable::recover(&m);
        let names = sorted_names(&m);
        assert!(names.iter().all(|n| n == "vault-1.age" || n == "vault-2.age"), "after write {k}: {names:?}");
    }
    println!("FAT new file: {} power-cut points, absent {absent} / whole {whole} / other 0", points.len());
    assert!(absent > 0 && whole > 0);
}

#[test]
fn fat_cannot_rename_over_a_name_and_the_sequence_never_asks_it_to() {
    let (_, _) = with_fs(blank_image(), |m| {
        durable::write_new(m, "unlock.age", OLD).unwrap();
        m.create_synced("other", b"x").unwrap();
        let e = m.rename("other", "unlock.age").unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists, "FAT has no atomic replace");
        durable::replace(m, "unlock.age", b"new").unwrap();
        assert_eq!(m.read("unlock.age").unwrap(), b"new");
    });
}

#[test]
fn the_names_a_vault_uses_survive_fat() {
    let names = [
        "vault.json",
        "unlock.age",
        "README.txt",
        "certvault.lock",
        "vault-1.age",
        "vault-18446744073709551615.age",
        ".certvault-vault-12.age.tmp",
        ".certvault-unlock.age.tmp",
        "unlock.age.old",
        "unlock.age.new",
        durable::INCOMPLETE_MARKER,
        "vault-3.age.damaged",
    ];
    let (image, _) = with_fs(blank_image(), |m| {
        for n in names {
            m.create_synced(n, n.as_bytes()).unwrap();
        }
    });
    let fs = mount(image, None);
    let m = FatFolder(&fs, None);
    let mut found = sorted_names(&m);
    let mut want: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    want.sort();
    found.sort();
    assert_eq!(found, want, "long names come back exactly, case included");
    for n in names {
        // Some tools show the upper-case short name; lookups ignore case, as SPEC.md §2.2 asks.
        assert_eq!(m.read(&n.to_uppercase()).unwrap(), n.as_bytes(), "{n}");
    }
    assert_eq!(vault_format::parse_generation_file_name("VAULT-3.AGE"), Some(3));
    assert_eq!(vault_format::parse_generation_file_name("vault-3.age.damaged"), None);
    // The short (8.3) names FAT stores beside them are distinct, so nothing collides.
    let mut short: Vec<String> = fs.root_dir().iter().map(|e| e.unwrap().short_file_name()).collect();
    let n = short.len();
    short.sort();
    short.dedup();
    assert_eq!(short.len(), n, "{short:?}");
}

#[derive(Debug)]
struct OddSecond;

impl fatfs::TimeProvider for OddSecond {
    fn get_current_date(&self) -> fatfs::Date {
        fatfs::Date { year: 2026, month: 11, day: 22 }
    }
    fn get_current_date_time(&self) -> fatfs::DateTime {
        fatfs::DateTime {
            date: self.get_current_date(),
            time: fatfs::Time { hour: 9, min: 30, sec: 7, millis: 900 },
        }
    }
}

static ODD_SECOND: OddSecond = OddSecond;

#[test]
fn fat_times_have_two_second_steps_and_nothing_depends_on_them() {
    let mut disk = Disk { data: blank_image(), pos: 0, log: None };
    disk.seek(SeekFrom::Start(0)).unwrap();
    let fs = fatfs::FileSystem::new(disk, fatfs::FsOptions::new().time_provider(&ODD_SECOND)).unwrap();
    let m = FatFolder(&fs, None);
    durable::write_new(&m, "vault-2.age", b"two").unwrap();
    durable::write_new(&m, "vault-3.age", b"three").unwrap();
    let times: Vec<fatfs::DateTime> = fs.root_dir().iter().map(|e| e.unwrap().modified()).collect();
    assert!(times.iter().all(|t| t.time.sec == 6), "09:30:07.9 is stored as 09:30:06: {times:?}");
    assert_eq!(times[0], times[1], "two generations written in the same 2 s look equally old");
    // The newest generation is the highest number, never the newest time (SPEC.md §11).
    let newest = m.names().unwrap().iter().filter_map(|n| vault_format::parse_generation_file_name(n)).max();
    assert_eq!(newest, Some(3));
}
