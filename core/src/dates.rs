//! Dates as certvault uses them: RFC 3339 UTC in the vault, days left to expiry, the month of
//! overlap a re-issued certificate gets. All arithmetic is the `time` crate's.

use time::format_description::well_known::Rfc3339;
use time::{Date, Month, OffsetDateTime};

/// Seconds since the Unix epoch, now.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// The Unix time of an RFC 3339 timestamp.
pub fn parse_rfc3339(rfc3339: &str) -> Option<i64> {
    OffsetDateTime::parse(rfc3339, &Rfc3339).ok().map(|t| t.unix_timestamp())
}

/// Whole days from `now` to `rfc3339` (rounded down: 23 hours left is day 0).
pub fn days_until(rfc3339: &str, now: i64) -> Option<i64> {
    parse_rfc3339(rfc3339).map(|t| (t - now).div_euclid(86_400))
}

/// Calendar days from today (UTC) to `day` (`YYYY-MM-DD`).
pub fn days_until_day(day: &str, now: i64) -> Option<i64> {
    let day = Date::parse(day, time::macros::format_description!("[year]-[month]-[day]")).ok()?;
    let today = OffsetDateTime::from_unix_timestamp(now).ok()?.date();
    Some((day - today).whole_days())
}

/// Days left before a vault entry's certificate expires (negative once it has).
pub fn days_left_of(entry: &vault_format::Entry, now: i64) -> i64 {
    days_until(&entry.certificate.not_after, now).unwrap_or(0)
}

/// `2029-02-24T04:16:18Z` → `2029-02-24 13:16 JST` in Japan (issue 16: the clinic's own
/// clock, not UTC), `… UTC+02:00` elsewhere, `… UTC` where the OS says UTC or cannot tell.
pub fn human_date(rfc3339: &str) -> String {
    match OffsetDateTime::parse(rfc3339, &Rfc3339) {
        Ok(t) => human_date_in(t, local_offset_at(t.unix_timestamp())),
        Err(_) => rfc3339.to_string(),
    }
}

fn human_date_in(t: OffsetDateTime, offset: time::UtcOffset) -> String {
    let t = t.to_offset(offset);
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]");
    let Ok(text) = t.format(&format) else { return t.to_string() };
    let (h, m, _) = offset.as_hms();
    match (h, m) {
        (0, 0) => format!("{text} UTC"),
        (9, 0) => format!("{text} JST"),
        _ => {
            format!("{text} UTC{}{:02}:{:02}", if offset.is_negative() { '-' } else { '+' }, h.abs(), m.abs())
        }
    }
}

/// The offset of this computer's time zone from UTC at Unix time `unix`, as the OS says (UTC
/// when it cannot tell).
pub fn local_offset_at(unix: i64) -> time::UtcOffset {
    #[cfg(unix)]
    {
        let t = unix as libc::time_t;
        // SAFETY: an all-zero `tm` is a valid value for localtime_r to overwrite.
        let mut tm: libc::tm = unsafe { std::mem::zeroed() };
        // SAFETY: both pointers are valid for the call; localtime_r is the re-entrant form.
        if unsafe { libc::localtime_r(&t, &mut tm) }.is_null() {
            return time::UtcOffset::UTC;
        }
        time::UtcOffset::from_whole_seconds(tm.tm_gmtoff as i32).unwrap_or(time::UtcOffset::UTC)
    }
    #[cfg(windows)]
    {
        use windows_sys::Win32::System::Time::{GetTimeZoneInformation, TIME_ZONE_INFORMATION};
        let _ = unix;
        // SAFETY: an all-zero TIME_ZONE_INFORMATION is valid for the call to fill.
        let mut tz: TIME_ZONE_INFORMATION = unsafe { std::mem::zeroed() };
        // SAFETY: a valid pointer to a structure of the right type.
        let id = unsafe { GetTimeZoneInformation(&mut tz) };
        // TIME_ZONE_ID_DAYLIGHT = 2; Japan has no daylight saving time.
        let bias = tz.Bias + if id == 2 { tz.DaylightBias } else { tz.StandardBias };
        time::UtcOffset::from_whole_seconds(-bias * 60).unwrap_or(time::UtcOffset::UTC)
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = unix;
        time::UtcOffset::UTC
    }
}

/// The date (YYYY-MM-DD) one calendar month after `rfc3339`, clamped to the month's end (the
/// old certificate of a re-issue keeps working about a month).
pub fn one_month_after(rfc3339: &str) -> String {
    let date_text = rfc3339.get(..10).unwrap_or(rfc3339);
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let Ok(date) = Date::parse(date_text, &format) else { return date_text.to_string() };
    let (year, month) = match date.month() {
        Month::December => (date.year() + 1, Month::January),
        m => (date.year(), m.next()),
    };
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day)
        .ok()
        .and_then(|d| d.format(&format).ok())
        .unwrap_or_else(|| date_text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_month_after_clamps_to_the_end_of_the_month() {
        assert_eq!(one_month_after("2026-01-31T00:00:00Z"), "2026-02-28");
        assert_eq!(one_month_after("2028-01-31T00:00:00Z"), "2028-02-29");
        assert_eq!(one_month_after("2026-12-15T10:00:00Z"), "2027-01-15");
        assert_eq!(one_month_after("2026-03-31"), "2026-04-30");
    }

    #[test]
    fn human_dates_are_utc_minutes() {
        assert_eq!(human_date("2029-02-24T04:16:18Z"), "2029-02-24 04:16 UTC");
        assert_eq!(human_date("2029-02-24T13:16:18+09:00"), "2029-02-24 04:16 UTC");
        assert_eq!(human_date("not a date"), "not a date");
    }

    #[test]
    fn days_round_down() {
        let now = parse_rfc3339("2026-01-01T00:00:00Z").unwrap();
        assert_eq!(days_until("2026-01-01T23:00:00Z", now), Some(0));
        assert_eq!(days_until("2026-01-03T00:00:00Z", now), Some(2));
        assert_eq!(days_until("2025-12-31T12:00:00Z", now), Some(-1));
        assert_eq!(days_until_day("2026-01-31", now), Some(30));
    }

    /// Issue 16: the clinic's clock, JST, not UTC.
    #[test]
    fn dates_are_shown_in_the_local_time_zone() {
        let t = OffsetDateTime::parse("2029-02-24T20:16:18Z", &Rfc3339).unwrap();
        let jst = time::UtcOffset::from_hms(9, 0, 0).unwrap();
        assert_eq!(human_date_in(t, jst), "2029-02-25 05:16 JST");
        assert_eq!(human_date_in(t, time::UtcOffset::UTC), "2029-02-24 20:16 UTC");
        let minus = time::UtcOffset::from_hms(-3, -30, 0).unwrap();
        assert_eq!(human_date_in(t, minus), "2029-02-24 16:46 UTC-03:30");
    }
}
