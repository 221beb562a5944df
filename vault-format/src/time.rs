//! Timestamps and dates (SPEC.md §2.5).
//!
//! The format stores times as RFC 3339 strings in UTC, `YYYY-MM-DDTHH:MM:SSZ`, and days
//! as `YYYY-MM-DD`. This module formats and checks them without a calendar library.

use std::time::{SystemTime, UNIX_EPOCH};

/// Formats a moment as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, UTC). Moments before
/// 1970 are clamped to the epoch.
pub fn format_timestamp(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    format_unix(secs)
}

/// The current time, formatted as by [`format_timestamp`].
pub fn now() -> String {
    format_timestamp(SystemTime::now())
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_unix(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

/// Howard Hinnant's days-to-civil algorithm, for days since 1970-01-01.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |a, c| a * 10 + u32::from(c - b'0')))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether `s` is a date `YYYY-MM-DD` that exists in the proleptic Gregorian calendar.
pub fn is_valid_date(s: &str) -> bool {
    is_valid_date_bytes(s.as_bytes())
}

fn is_valid_date_bytes(b: &[u8]) -> bool {
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    match (digits(&b[0..4]), digits(&b[5..7]), digits(&b[8..10])) {
        (Some(y), Some(m), Some(d)) => (1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m),
        _ => false,
    }
}

/// Whether `s` is `YYYY-MM-DDTHH:MM:SS[.fraction]Z` with every field in range
/// (seconds up to 60 for a leap second) (SPEC.md §2.5).
pub fn is_valid_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 20 || !is_valid_date_bytes(&b[..10]) || b[10] != b'T' {
        return false;
    }
    if b[13] != b':' || b[16] != b':' || b[b.len() - 1] != b'Z' {
        return false;
    }
    let (Some(h), Some(mi), Some(sec)) = (digits(&b[11..13]), digits(&b[14..16]), digits(&b[17..19])) else {
        return false;
    };
    if h > 23 || mi > 59 || sec > 60 {
        return false;
    }
    let frac = &b[19..b.len() - 1];
    frac.is_empty() || (frac[0] == b'.' && frac.len() > 1 && frac[1..].iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting() {
        assert_eq!(format_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_unix(946_684_800), "2000-01-01T00:00:00Z");
        assert_eq!(format_unix(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_unix(1_735_689_599), "2024-12-31T23:59:59Z");
        assert!(is_valid_timestamp(&now()));
    }

    #[test]
    fn validation() {
        assert!(is_valid_timestamp("2025-01-31T12:34:56Z"));
        assert!(is_valid_timestamp("2016-12-31T23:59:60Z"));
        assert!(is_valid_timestamp("2025-01-31T12:34:56.123Z"));
        assert!(!is_valid_timestamp("2025-01-31T12:34:56.Z"));
        assert!(!is_valid_timestamp("2025-01-31T12:34:56+09:00"));
        assert!(!is_valid_timestamp("2025-01-31 12:34:56Z"));
        assert!(!is_valid_timestamp("2025-02-30T12:34:56Z"));
        assert!(!is_valid_timestamp("2025-01-31T24:00:00Z"));
        assert!(!is_valid_timestamp("2025-1-31T12:34:56Z"));
        assert!(!is_valid_timestamp(""));
        assert!(is_valid_date("2024-02-29"));
        assert!(!is_valid_date("2023-02-29"));
        assert!(!is_valid_date("2023-13-01"));
        assert!(!is_valid_date("2023-12-00"));
    }
}
