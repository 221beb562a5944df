//! `certvault status`: what needs attention, most urgent first.
//!
//! Two sources. The vault's entries (expiry dates, replaced certificates, generation) are only
//! in the encrypted manifest (`vault.json` holds the vault id and KDF parameters, no
//! certificate data: vault-format/SPEC.md §5), so checking them needs the vault opened with
//! the usual passphrase, recovery code or share files. This computer's logs
//! ([`crate::records`]: restore, verify, sheet and scan records) need no secret. So:
//!
//! * a vault folder given: the vault is opened (asked through the conversation, or from a
//!   `*-file`) and every check runs.
//! * none given: a vault on a mounted removable volume is opened when there is a way to have
//!   its secret (the front-end can ask, or a `*-file` is given); otherwise, or with no stick
//!   inserted, status reports from the logs alone: expiry of the certificates installed here,
//!   copies left by the last scan, what was installed. A monitoring script runs
//!   `certvault status --json` with no secret at all.
//!
//! Nothing is written and nothing is printed: the checklist is returned, its texts as
//! [`Message`]s that the front-end phrases ([`Status::phrased`]).

use std::path::{Path, PathBuf};

use serde::Serialize;
use vault_format::{Manifest, Purpose};

use crate::conversation::{Conversation, Level as Tone};
use crate::dates::{days_until, days_until_day, parse_rfc3339};
use crate::error::Error;
use crate::message::Message;
use crate::msg;
use crate::records::Logs;
use crate::vault::{OpenVault, UnlockSource};

/// Reminder steps before expiry, in days; within the last of them, every day.
pub const REMINDER_DAYS: [i64; 5] = [90, 60, 30, 15, 7];
/// Copies not verified for longer than this (about six months) are worth a `verify`.
pub const VERIFY_MAX_AGE_DAYS: i64 = 183;

/// How urgent an item is; the checklist is sorted by this, then by days left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// Act now: expired, a week or less left, copies not in the vault lying around.
    Urgent,
    /// Act within weeks.
    Soon,
    /// Worth doing; a reminder.
    Reminder,
    /// For information; needs nothing.
    Info,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A certificate's validity has ended.
    CertificateExpired,
    /// A certificate ends within [`REMINDER_DAYS`]`[0]` days.
    CertificateExpiring,
    /// A replaced certificate keeps working until this day (one month after the new one).
    SupersededStopsWorking,
    /// A replaced certificate has stopped working; its entry can be removed.
    SupersededStopped,
    /// Only one copy of the vault is known: make a second stick.
    SingleCopy,
    /// The copies have not been verified for more than six months.
    NotVerified,
    /// No recovery sheet was printed for this vault (from this computer).
    SheetNeverPrinted,
    /// The last sheet lists an older state of the vault.
    SheetOutdated,
    /// The last scan or clean found certificate copies that are still on disk.
    StrayCopies,
    /// The last clean left zip archives that hold copies of vault entries and other files: a
    /// person looks into them (no step of certvault's removes them).
    ZipKept,
    /// A certificate restore installed on this computer.
    Installed,
    /// A vault was found but not opened (no way to ask for its secret).
    VaultNotOpened,
    /// No vault given or found: only this computer's records were checked.
    NoVault,
    /// The stick holds only generations older than one this computer has seen (rollback, or
    /// an old copy).
    OlderThanSeen,
    /// A recovery sheet PDF lies in Documents, the Desktop or Downloads: with the stick, it
    /// opens everything.
    SheetPdfLeft,
}

/// What to do about an item, as a step the user takes: each front-end names it its own way
/// (the command line as a command, the wizard and the window as their menu item), so no
/// front-end shows another's words (issue 16: no `SECOND-STICK` placeholders in a menu).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NextStep {
    /// Keep the renewed certificate file in the vault (seal the new `.p12`).
    KeepRenewedCertificate,
    /// Restore the certificate that replaced this one on this computer.
    RestoreReplacement,
    /// Remove the entry of a replaced certificate that stopped working.
    RemoveEntry,
    /// Make a second stick (clone).
    SecondStick,
    /// Compare the two sticks (verify, sync).
    CheckSticks,
    /// Print the recovery sheet.
    PrintSheet,
    /// Clean the copies left on this computer.
    Clean,
    /// Keep the copies that are not in the vault first (seal them), then clean.
    SealCopies,
    /// Check again with the vault opened.
    OpenVault,
}

impl Kind {
    /// The step that answers an item of this kind, if the user has one to take.
    pub fn next_step(self) -> Option<NextStep> {
        Some(match self {
            Kind::CertificateExpired | Kind::CertificateExpiring => NextStep::KeepRenewedCertificate,
            Kind::SupersededStopsWorking => NextStep::RestoreReplacement,
            Kind::SupersededStopped => NextStep::RemoveEntry,
            Kind::SingleCopy => NextStep::SecondStick,
            Kind::NotVerified | Kind::OlderThanSeen => NextStep::CheckSticks,
            Kind::SheetNeverPrinted | Kind::SheetOutdated => NextStep::PrintSheet,
            Kind::StrayCopies => NextStep::Clean,
            Kind::VaultNotOpened => NextStep::OpenVault,
            // Printing and deleting a file, or looking into a zip: no command or menu item of
            // certvault's; the message says what to do.
            Kind::Installed | Kind::NoVault | Kind::ZipKept | Kind::SheetPdfLeft => return None,
        })
    }
}

/// One line of the checklist; `M` is its text: a [`Message`], or the phrased `String` that
/// `--json` prints.
#[derive(Debug, Clone, Serialize)]
pub struct Item<M = Message> {
    pub kind: Kind,
    pub level: Level,
    /// The message for people, in the language of the other messages.
    pub message: M,
    /// What to run next, when a command does it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The step that answers it, for a front-end to name ([`Kind::next_step`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextStep>,
    /// Days from now to `date` (negative: past).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<i64>,
    /// The date the item is about (RFC 3339 UTC; a day `YYYY-MM-DD` for a replaced
    /// certificate's last day).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// For expiry: `90`, `60`, `30`, `15`, `7` (the reminder step reached), `daily`, `expired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder: Option<String>,
    /// The vault entry id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Purpose>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub institution_code: Option<String>,
    /// Where the certificate is installed (restore targets), or the copies' paths.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

impl Item {
    fn new(kind: Kind, level: Level, message: Message) -> Item {
        Item {
            kind,
            level,
            message,
            command: None,
            next: kind.next_step(),
            days: None,
            date: None,
            reminder: None,
            entry: None,
            purpose: None,
            institution_code: None,
            paths: Vec::new(),
        }
    }

    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> Item<R> {
        Item {
            kind: self.kind,
            level: self.level,
            message: phrase(&self.message),
            command: self.command.clone(),
            next: self.next,
            days: self.days,
            date: self.date.clone(),
            reminder: self.reminder.clone(),
            entry: self.entry.clone(),
            purpose: self.purpose,
            institution_code: self.institution_code.clone(),
            paths: self.paths.clone(),
        }
    }
}

/// The vault status looked at.
#[derive(Debug, Clone, Serialize)]
pub struct VaultInfo {
    pub dir: String,
    pub vault_id: String,
    pub generation: u64,
    pub entries: usize,
}

/// The whole report (`--json` prints it, phrased).
#[derive(Debug, Clone, Serialize)]
pub struct Status<M = Message> {
    /// The vault that was opened, if any.
    pub vault: Option<VaultInfo>,
    /// True when some item is not [`Level::Info`] (exit code 1).
    pub needs_attention: bool,
    /// Most urgent first.
    pub items: Vec<Item<M>>,
    /// When the report was made (RFC 3339 UTC).
    pub time: String,
}

impl Status {
    /// The same report with its texts phrased by the front-end.
    pub fn phrased<R>(&self, phrase: &impl Fn(&Message) -> R) -> Status<R> {
        Status {
            vault: self.vault.clone(),
            needs_attention: self.needs_attention,
            items: self.items.iter().map(|i| i.phrased(phrase)).collect(),
            time: self.time.clone(),
        }
    }
}

/// An opened vault, as far as status needs it.
pub struct VaultView<'a> {
    pub dir: &'a Path,
    pub manifest: &'a Manifest,
    pub generation: u64,
}

/// What `certvault status` looks at.
#[derive(Debug, Clone, Default)]
pub struct StatusOptions {
    /// The vault folder; without it, the first vault on a removable volume.
    pub vault: Option<PathBuf>,
    pub unlock: UnlockSource,
    /// Whether the front-end can ask for the vault's secret (a terminal, not `--json`): a
    /// vault found on a stick is opened only then, or when a `*-file` gives the secret.
    pub can_ask: bool,
}

/// The checklist: the vault (given, or found on a stick when its secret can be had) opened
/// with the secret from `opts.unlock` or asked through `talk`, and this computer's logs.
pub fn status(opts: &StatusOptions, talk: &dyn Conversation) -> Result<Status, Error> {
    let (dir, note) = choose_vault(opts, talk);
    let logs = Logs::read();
    let now = crate::dates::now_unix();
    let mut status = match &dir {
        Some(dir) => {
            let unlock = opts.unlock.read(talk)?;
            let vault = OpenVault::open(dir, &unlock, false)?;
            for w in vault.warnings() {
                talk.tell(Tone::Warning, w);
            }
            of_opened_vault(dir, &vault, &logs, now)
        }
        None => of_this_computer(&logs, now),
    };
    if let Some(note) = note {
        status.items.push(note);
    }
    Ok(status)
}

/// The checklist for a vault already opened (the command and the wizard): [`collect`], and the
/// warning first when the stick holds only generations older than one seen here.
pub fn of_opened_vault(dir: &Path, vault: &OpenVault, logs: &Logs, now: i64) -> Status {
    let view = VaultView { dir, manifest: &vault.payload.manifest, generation: vault.generation };
    let mut status = collect(Some(&view), logs, now);
    add_sheets_left(&mut status, &crate::scan::sheets_in_usual_places());
    if let Some(seen) = vault.seen_newer {
        let message =
            msg!("vault-older-than-seen", dir = dir.display(), generation = vault.generation, seen = seen);
        let mut item = Item::new(Kind::OlderThanSeen, Level::Urgent, message);
        item.command = Some(format!("certvault verify {} OTHER-STICK", vault_arg(dir)));
        status.items.insert(0, item);
        status.needs_attention = true;
    }
    status
}

/// The checklist without a vault (no stick, or not opened): [`collect`] from this computer's
/// logs, and the recovery sheet PDFs left in the usual places.
pub fn of_this_computer(logs: &Logs, now: i64) -> Status {
    let mut status = collect(None, logs, now);
    add_sheets_left(&mut status, &crate::scan::sheets_in_usual_places());
    status
}

/// Adds the warning about recovery sheet PDFs found on this computer (`sheets`, their paths),
/// if any, in its place in the checklist.
pub fn add_sheets_left(status: &mut Status, sheets: &[PathBuf]) {
    if sheets.is_empty() {
        return;
    }
    let mut item =
        Item::new(Kind::SheetPdfLeft, Level::Soon, msg!("status-sheet-pdf-left", count = sheets.len()));
    item.paths = sheets.iter().map(|p| p.display().to_string()).collect();
    status.items.push(item);
    status.items.sort_by_key(|i| (i.level, i.days.unwrap_or(i64::MAX)));
    status.needs_attention = true;
}

fn has_secret_file(u: &UnlockSource) -> bool {
    u.passphrase_file.is_some() || u.recovery_code_file.is_some() || !u.share_files.is_empty()
}

/// Which vault to open: the one given, or the one on a removable volume when its secret can be
/// had. The second value is an item explaining why no vault was opened.
fn choose_vault(opts: &StatusOptions, talk: &dyn Conversation) -> (Option<PathBuf>, Option<Item>) {
    if let Some(dir) = &opts.vault {
        return (Some(dir.clone()), None);
    }
    let found = crate::media::vaults_on_media();
    let Some(first) = found.first() else {
        return (None, Some(Item::new(Kind::NoVault, Level::Info, msg!("status-no-vault"))));
    };
    if has_secret_file(&opts.unlock) || opts.can_ask {
        if found.len() > 1 {
            talk.tell(Tone::Info, msg!("status-several-vaults", dir = first.display(), count = found.len()));
        }
        return (Some(first.clone()), None);
    }
    let mut item =
        Item::new(Kind::VaultNotOpened, Level::Info, msg!("status-vault-not-opened", dir = first.display()));
    item.command = Some(format!("certvault status --vault {} --passphrase-file F", vault_arg(first)));
    item.paths = found.iter().map(|p| p.display().to_string()).collect();
    (None, Some(item))
}

/// The reminder step reached `days` before expiry, if any.
pub fn reminder_step(days: i64) -> Option<String> {
    if days < 0 {
        return Some("expired".into());
    }
    let last = REMINDER_DAYS[REMINDER_DAYS.len() - 1];
    if days <= last {
        return Some("daily".into());
    }
    REMINDER_DAYS.iter().rev().find(|&&step| days <= step).map(|s| s.to_string())
}

fn purpose_label(p: Purpose) -> Message {
    Message::new(match p {
        Purpose::OnlineQualification => "purpose-online-qualification",
        Purpose::HpkiSecond => "purpose-hpki-second",
        Purpose::Other => "purpose-other",
    })
}

fn short_date(rfc3339: &str) -> String {
    rfc3339.get(..10).unwrap_or(rfc3339).to_string()
}

/// The name a certificate goes by in the checklist: purpose and institution code.
fn cert_label(purpose: Purpose, code: Option<&str>) -> Message {
    match code {
        Some(code) => msg!("status-cert-label", purpose = purpose_label(purpose), code = code),
        None => purpose_label(purpose),
    }
}

/// A folder as an argument of a command to copy: quoted when it holds a space.
fn vault_arg(dir: &Path) -> String {
    let s = dir.display().to_string();
    if s.contains(' ') {
        format!("\"{s}\"")
    } else {
        s
    }
}

struct Expiring<'a> {
    entry: Option<&'a str>,
    purpose: Purpose,
    code: Option<&'a str>,
    not_after: &'a str,
    sha1: &'a str,
    installed_at: Vec<String>,
}

fn expiry_item(c: &Expiring<'_>, now: i64, vault: Option<&Path>) -> Option<Item> {
    let days = days_until(c.not_after, now)?;
    let label = cert_label(c.purpose, c.code);
    let date = short_date(c.not_after);
    let (kind, level, message) = if days < 0 {
        (
            Kind::CertificateExpired,
            Level::Urgent,
            msg!("status-expired", cert = label, date = date, days = -days),
        )
    } else if days <= REMINDER_DAYS[0] {
        let level = if days <= 7 {
            Level::Urgent
        } else if days <= 30 {
            Level::Soon
        } else {
            Level::Reminder
        };
        (Kind::CertificateExpiring, level, msg!("status-expiring", cert = label, date = date, days = days))
    } else {
        return None;
    };
    let mut item = Item::new(kind, level, message);
    item.days = Some(days);
    item.date = Some(c.not_after.to_string());
    item.reminder = reminder_step(days);
    item.entry = c.entry.map(str::to_string);
    item.purpose = Some(c.purpose);
    item.institution_code = c.code.map(str::to_string);
    item.paths = c.installed_at.clone();
    // Renewal is done with the issuer; certvault's part is to seal the new file.
    item.command = Some(match vault {
        Some(dir) => format!("certvault add NEW-FILE.p12 --vault {}", vault_arg(dir)),
        None => "certvault add NEW-FILE.p12 --vault DIR".to_string(),
    });
    Some(item)
}

/// The checklist for `vault` (when opened) and this computer's `logs`, at `now` (Unix seconds).
/// No secret is read here and nothing is written.
pub fn collect(vault: Option<&VaultView<'_>>, logs: &Logs, now: i64) -> Status {
    let mut items = Vec::new();
    let vault_id = vault.map(|v| v.manifest.vault_id.to_string());

    // Certificates: the vault's current entries, and what was installed on this computer.
    let mut certs: Vec<Expiring<'_>> = Vec::new();
    if let Some(v) = vault {
        for e in v.manifest.entries.iter().filter(|e| e.superseded.is_none()) {
            certs.push(Expiring {
                entry: Some(&e.id),
                purpose: e.purpose,
                code: e.certificate.institution_code.as_deref(),
                not_after: &e.certificate.not_after,
                sha1: &e.certificate.leaf_sha1,
                installed_at: Vec::new(),
            });
        }
    }
    for r in &logs.restore {
        match certs.iter_mut().find(|c| c.sha1 == r.leaf_sha1) {
            Some(c) => {
                if !c.installed_at.contains(&r.target) {
                    c.installed_at.push(r.target.clone());
                }
            }
            None => certs.push(Expiring {
                entry: Some(&r.entry),
                purpose: r.purpose,
                code: r.institution_code.as_deref(),
                not_after: &r.not_after,
                sha1: &r.leaf_sha1,
                installed_at: vec![r.target.clone()],
            }),
        }
    }
    items.extend(certs.iter().filter_map(|c| expiry_item(c, now, vault.map(|v| v.dir))));

    if let Some(v) = vault {
        // Replaced certificates keep working for a month after the new one's issue.
        for e in &v.manifest.entries {
            let Some(s) = &e.superseded else { continue };
            let Some(days) = days_until_day(&s.stops_working, now) else { continue };
            let label = cert_label(e.purpose, e.certificate.institution_code.as_deref());
            let date = short_date(&s.stops_working);
            let mut item = if days < 0 {
                let mut item = Item::new(
                    Kind::SupersededStopped,
                    Level::Info,
                    msg!("status-superseded-stopped", cert = label, date = date),
                );
                item.command = Some(format!("certvault remove {} --vault {}", e.id, vault_arg(v.dir)));
                item
            } else {
                let level = if days <= 7 { Level::Urgent } else { Level::Soon };
                let mut item = Item::new(
                    Kind::SupersededStopsWorking,
                    level,
                    msg!("status-superseded-stops", cert = label, date = date, days = days),
                );
                item.command = Some(format!("certvault restore {} --vault {}", s.by, vault_arg(v.dir)));
                item
            };
            item.days = Some(days);
            item.date = Some(s.stops_working.clone());
            item.entry = Some(e.id.clone());
            item.purpose = Some(e.purpose);
            item.institution_code = e.certificate.institution_code.clone();
            items.push(item);
        }

        // Copies of the vault, from the verify and clone records of this computer.
        let id = vault_id.as_deref().unwrap_or_default();
        let last_verify =
            logs.verify.iter().filter(|r| r.vault_id == id).max_by_key(|r| parse_rfc3339(&r.time));
        let current_copies =
            last_verify.map_or(1, |r| r.copies.iter().filter(|c| c.state == "current").count());
        if current_copies <= 1 {
            let mut item = Item::new(Kind::SingleCopy, Level::Soon, msg!("status-single-copy"));
            item.command = Some(format!("certvault clone --vault {} SECOND-STICK", vault_arg(v.dir)));
            items.push(item);
        }
        let since = last_verify.map(|r| r.time.clone()).unwrap_or_else(|| v.manifest.created.clone());
        // Whole days since then, rounded down (as days left are).
        if let Some(days) = parse_rfc3339(&since).map(|t| (now - t).div_euclid(86_400)) {
            if days > VERIFY_MAX_AGE_DAYS {
                let message = match last_verify {
                    Some(_) => msg!("status-not-verified", date = short_date(&since), days = days),
                    None => msg!("status-never-verified", date = short_date(&since), days = days),
                };
                let mut item = Item::new(Kind::NotVerified, Level::Reminder, message);
                item.days = Some(-days);
                item.date = Some(since);
                item.command = Some(format!("certvault verify {} SECOND-STICK", vault_arg(v.dir)));
                items.push(item);
            }
        }

        // The recovery sheet: printed at all, and for the vault as it is now?
        // This computer's records, and those kept next to the vault by any computer that
        // wrote a sheet for it.
        let in_vault = crate::records::sheets_in_vault(v.dir);
        let last_sheet =
            logs.sheet.iter().chain(&in_vault).filter(|r| r.vault_id == id).max_by_key(|r| r.generation);
        let sheet_command = format!("certvault sheet --vault {} --out SHEET.pdf", vault_arg(v.dir));
        match last_sheet {
            None => {
                let mut item = Item::new(Kind::SheetNeverPrinted, Level::Soon, msg!("status-sheet-never"));
                item.command = Some(sheet_command);
                items.push(item);
            }
            Some(r) if r.generation < v.generation => {
                let mut item = Item::new(
                    Kind::SheetOutdated,
                    Level::Reminder,
                    msg!(
                        "status-sheet-outdated",
                        date = short_date(&r.time),
                        generation = r.generation,
                        current = v.generation
                    ),
                );
                item.date = Some(r.time.clone());
                item.command = Some(sheet_command);
                items.push(item);
            }
            Some(_) => {}
        }
    }

    // Copies found by the last scan or clean, if they are still there.
    if let Some(last) = logs.scan.iter().max_by_key(|r| parse_rfc3339(&r.time)) {
        // `archive.zip!/entry` is a copy inside an archive: look at the archive.
        let file_of = |p: &str| p.split("!/").next().unwrap_or(p).to_string();
        let (kept, present): (Vec<String>, Vec<String>) = last
            .remaining
            .iter()
            .filter(|p| Path::new(&file_of(p)).exists())
            .cloned()
            .partition(|p| last.kept_archives.contains(&file_of(p)));
        // Zips kept because they hold other files too: another clean would not remove them.
        if !kept.is_empty() {
            let mut zips: Vec<String> = kept.iter().map(|p| file_of(p)).collect();
            zips.sort();
            zips.dedup();
            let mut item = Item::new(
                Kind::ZipKept,
                Level::Reminder,
                msg!("status-zip-kept", count = zips.len(), date = short_date(&last.time)),
            );
            item.date = Some(last.time.clone());
            item.paths = zips;
            items.push(item);
        }
        if !present.is_empty() {
            let not_in_vault = last.not_in_vault.unwrap_or(0);
            let (level, message, command) = if not_in_vault > 0 {
                (
                    Level::Urgent,
                    msg!(
                        "status-stray-not-in-vault",
                        count = present.len(),
                        unknown = not_in_vault,
                        date = short_date(&last.time)
                    ),
                    "certvault clean --vault DIR --seal-unknown --apply".to_string(),
                )
            } else {
                (
                    Level::Soon,
                    msg!("status-stray", count = present.len(), date = short_date(&last.time)),
                    "certvault clean --vault DIR --apply".to_string(),
                )
            };
            let mut item = Item::new(Kind::StrayCopies, level, message);
            if not_in_vault > 0 {
                item.next = Some(NextStep::SealCopies);
            }
            item.date = Some(last.time.clone());
            item.paths = present;
            item.command = Some(match vault {
                Some(v) => command.replace("DIR", &vault_arg(v.dir)),
                None => command,
            });
            items.push(item);
        }
    }

    // What restore installed on this computer (newest record per certificate and place).
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for r in logs.restore.iter().rev() {
        if seen.contains(&(r.leaf_sha1.as_str(), r.target.as_str())) {
            continue;
        }
        seen.push((&r.leaf_sha1, &r.target));
        let label = cert_label(r.purpose, r.institution_code.as_deref());
        let mut item = Item::new(
            Kind::Installed,
            Level::Info,
            msg!(
                "status-installed",
                cert = label,
                target = r.target,
                date = short_date(&r.time),
                until = short_date(&r.not_after)
            ),
        );
        item.date = Some(r.time.clone());
        item.entry = Some(r.entry.clone());
        item.purpose = Some(r.purpose);
        item.institution_code = r.institution_code.clone();
        item.paths = vec![r.target.clone()];
        items.push(item);
    }

    // Most urgent first; within a level, the nearest date first.
    items.sort_by_key(|i| (i.level, i.days.unwrap_or(i64::MAX)));
    let needs_attention = items.iter().any(|i| i.level != Level::Info);
    Status {
        vault: vault.map(|v| VaultInfo {
            dir: v.dir.display().to_string(),
            vault_id: v.manifest.vault_id.to_string(),
            generation: v.generation,
            entries: v.manifest.entries.iter().filter(|e| e.superseded.is_none()).count(),
        }),
        needs_attention,
        items,
        time: crate::certificate::x509::rfc3339(now),
    }
}

#[cfg(test)]
mod tests;
