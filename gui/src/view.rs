//! The screens, drawn from the [`App`]'s state. Every text comes from the Fluent messages
//! (`t!`) or is outside text (file names, subjects) passed through `escaped`.

use certvault_core::clean::Action;
use certvault_core::conversation::Level;
use certvault_core::install::restore::Outcome as RestoreOutcome;
use certvault_core::sheet::{Preview, Shape};
use certvault_i18n::text::escaped;
use certvault_i18n::{t, Lang};
use iced::widget::{
    button, canvas, checkbox, column, container, progress_bar, row, scrollable, space, text, text_input,
};
use iced::{Center, Element, Fill, Length, Theme};
use vault_format::Purpose;

use crate::app::{App, JobView, Moment, Msg, Pick, RestoreTo, Screen};
use crate::job::Question;
use crate::style::{self, GAP, HEADING, PAD, SMALL, SUBHEADING, TEXT};

type El<'a> = Element<'a, Msg>;

/// The field of an open question (focused when the question appears).
pub const ANSWER: &str = "answer";

/// The keyboard's way through a screen (iced's buttons take no focus): every button and field
/// of the screen, in the order drawn, registers here while the view is built; Tab moves
/// `App::focused` along it, Enter presses the focused button ([`keyboard_ring`]).
#[derive(Clone)]
pub enum Stop {
    Button(Msg),
    Field(&'static str),
}

thread_local! {
    static RING: std::cell::RefCell<(Option<usize>, Vec<Stop>)> = const { std::cell::RefCell::new((None, Vec::new())) };
}

/// Registers a stop; true when it is the focused one.
fn stop(s: Stop) -> bool {
    RING.with(|r| {
        let mut r = r.borrow_mut();
        r.1.push(s);
        r.0 == Some(r.1.len() - 1)
    })
}

/// The stops of the screen `app` shows, in order.
pub fn keyboard_ring(app: &App) -> Vec<Stop> {
    let _ = view(app);
    RING.with(|r| r.borrow().1.clone())
}

/// A button that the keyboard reaches: `style` drawn with a thick outline when focused.
fn act<'a>(
    content: impl Into<El<'a>>,
    msg: Msg,
    style: fn(&Theme, button::Status) -> button::Style,
) -> iced::widget::Button<'a, Msg> {
    let focused = stop(Stop::Button(msg.clone()));
    button(content).on_press(msg).style(move |theme: &Theme, status| {
        let mut s = style(theme, status);
        if focused {
            s.border = iced::Border { width: 4.0, color: theme.palette().text, radius: 4.0.into() };
        }
        s
    })
}

/// Around the page's column.
const PAGE_PADDING: f32 = 24.0;

pub fn view(app: &App) -> El<'_> {
    RING.with(|r| *r.borrow_mut() = (app.focused, Vec::new()));
    let body = match &app.job {
        Some(job) => job_view(job),
        None => screen_view(app),
    };
    let top = row![
        text("certvault").size(SUBHEADING).font(style::code_font()),
        space::horizontal(),
        lang_button("日本語", Lang::Ja, app.lang),
        lang_button("English", Lang::En, app.lang),
    ]
    .spacing(GAP)
    .align_y(Center);
    let page = column![top, body].spacing(GAP * 1.5).max_width(style::CONTENT_WIDTH).padding(PAGE_PADDING);
    scrollable(container(page).center_x(Fill)).height(Fill).into()
}

fn lang_button(label: &str, lang: Lang, current: Lang) -> El<'_> {
    let style = if lang == current { button::secondary } else { button::text };
    act(text(label).size(SMALL), Msg::SetLang(lang), style).padding(6).into()
}

fn heading<'a>(s: String) -> El<'a> {
    text(s).size(HEADING).into()
}

fn para<'a>(s: String) -> El<'a> {
    text(s).size(TEXT).width(Fill).into()
}

fn small<'a>(s: String) -> El<'a> {
    text(s).size(SMALL).width(Fill).into()
}

fn primary<'a>(label: String, msg: Msg) -> El<'a> {
    act(text(label).size(TEXT + 2.0), msg, button::primary).padding(PAD + 4).into()
}

fn secondary<'a>(label: String, msg: Msg) -> El<'a> {
    act(text(label).size(TEXT), msg, button::secondary).padding(PAD).into()
}

fn warning<'a>(s: String) -> El<'a> {
    text(s).size(TEXT).width(Fill).style(text::danger).into()
}

fn notes(app: &App) -> El<'_> {
    column(app.notes.iter().filter(|(_, n)| !n.trim().is_empty()).map(|(level, note)| match level {
        Level::Warning => warning(note.clone()),
        Level::Info => small(note.clone()),
    }))
    .spacing(6)
    .into()
}

/// A text field; `id` names it for keyboard focus and for the tests that type into it.
fn field<'a>(
    id: &'static str,
    placeholder: String,
    value: &str,
    on_input: fn(String) -> Msg,
    submit: Msg,
) -> El<'a> {
    stop(Stop::Field(id));
    text_input(&placeholder, value).id(id).on_input(on_input).on_submit(submit).size(TEXT).padding(PAD).into()
}

fn job_view(job: &JobView) -> El<'_> {
    let mut col = column![heading(job.title.clone())].spacing(GAP);
    match &job.progress {
        Some(p) => {
            col = col.push(small(certvault_i18n::render(&p.task)));
            col = match p.total {
                Some(total) if total > 0 => {
                    col.push(progress_bar(0.0..=total as f32, p.done as f32).girth(14))
                }
                _ => col.push(small(t!("gui-working-count", count = p.done))),
            };
        }
        None if job.question.is_none() => col = col.push(small(t!("gui-working"))),
        None => {}
    }
    // What was told since the last answer is the question's context (the certificate about to
    // be installed, a root's thumbprint); older notes stay out of the way. A blank note is the
    // terminal's empty line between blocks.
    let recent: Vec<&(Level, String)> = job.notes[job.context_from.min(job.notes.len())..]
        .iter()
        .filter(|(_, n)| !n.trim().is_empty())
        .collect();
    for (level, note) in recent.iter().rev().take(12).rev() {
        col = col.push(match level {
            Level::Warning => warning(note.clone()),
            Level::Info => small(note.clone()),
        });
    }
    if let Some(q) = &job.question {
        col = col.push(question_view(&q.question, &q.input));
    }
    col.push(secondary(t!("gui-cancel"), Msg::Cancel)).into()
}

/// A question's words for the window: the terminal's "type a number" and "press Enter"
/// become the window's own.
fn prompt_text(m: &certvault_core::Message) -> String {
    use certvault_core::message::Arg;
    if m.id == "restore-then-ask" {
        let part = |name: &str| {
            m.args.iter().find(|(n, _)| *n == name).and_then(|(_, a)| match a {
                Arg::Message(inner) => Some(inner),
                _ => None,
            })
        };
        if let (Some(before), Some(question)) = (part("before"), part("question")) {
            return format!("{}\n{}", certvault_i18n::render(before), prompt_text(question));
        }
    }
    match m.id {
        "restore-choose-entries" => t!("gui-restore-choose-entries"),
        // The terminal says it is not shown; the window shows it.
        "unlock-enter-recovery-code" => t!("gui-enter-recovery-code"),
        id if id.ends_with("-choose") => t!("gui-choose-one"),
        _ => certvault_i18n::render(m),
    }
}

fn question_view<'a>(question: &'a Question, input: &'a str) -> El<'a> {
    let prompt = prompt_text(question.prompt());
    let prompt = prompt.trim_end().trim_end_matches([':', '：']).to_string();
    match question {
        Question::Secret(m) if m.id == "unlock-enter-recovery-code" => {
            // On paper and not secret from whoever holds the sheet: shown as typed, grouped,
            // with the group that does not check named at once.
            use certvault_core::codes::{check_as_typed, GroupCheck};
            use secrecy::ExposeSecret;
            let typed = check_as_typed(vault_format::CodeKind::Recovery, input);
            let marks: Vec<String> = typed
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| {
                    let mark = match g {
                        GroupCheck::Good => "✓",
                        GroupCheck::Mistyped => "✗",
                        GroupCheck::Partial | GroupCheck::Missing => "·",
                    };
                    format!("{}{mark}", i + 1)
                })
                .collect();
            let shown = format!("{}    [{}]", typed.grouped.expose_secret(), marks.join(" "));
            let check = typed.note(vault_format::CodeKind::Recovery).map(|m| certvault_i18n::render(&m));
            let mut col = column![
                para(prompt),
                {
                    stop(Stop::Field(ANSWER));
                    text_input("XXXXX-XXXXX-XXXXX-XXXXX-XXXXX", input)
                }
                .id(ANSWER)
                .on_input(Msg::AnswerInput)
                .on_submit(Msg::AnswerSubmit)
                .size(TEXT + 4.0)
                .font(style::code_font())
                .padding(PAD),
                text(shown).size(TEXT + 4.0).font(style::code_font()),
            ]
            .spacing(GAP);
            if let Some(problem) = check {
                col = col.push(warning(problem));
            }
            col.push(primary(t!("gui-ok"), Msg::AnswerSubmit)).into()
        }
        Question::Secret(m) => {
            let mut col = column![
                para(prompt),
                {
                    stop(Stop::Field(ANSWER));
                    text_input("", input)
                }
                .id(ANSWER)
                .secure(true)
                .on_input(Msg::AnswerInput)
                .on_submit(Msg::AnswerSubmit)
                .size(TEXT + 2.0)
                .padding(PAD),
            ]
            .spacing(GAP);
            if m.id == "init-new-passphrase" {
                col = col.push(strength_view(input));
            }
            if m.id.contains("pin") || m.id.contains("password") {
                col = col.push(small(t!("gui-pin-unlimited")));
            }
            col.push(primary(t!("gui-ok"), Msg::AnswerSubmit)).into()
        }
        Question::Text(_) => column![
            para(prompt),
            text_input("", input)
                .on_input(Msg::AnswerInput)
                .on_submit(Msg::AnswerSubmit)
                .size(TEXT)
                .padding(PAD),
            primary(t!("gui-ok"), Msg::AnswerSubmit),
        ]
        .spacing(GAP)
        .into(),
        Question::Confirm(_) => column![
            para(prompt),
            row![
                primary(t!("gui-yes"), Msg::AnswerConfirm(true)),
                secondary(t!("gui-no"), Msg::AnswerConfirm(false))
            ]
            .spacing(GAP),
        ]
        .spacing(GAP)
        .into(),
        Question::Choose(_, choices) => {
            let mut col = column![para(prompt)].spacing(GAP);
            for (i, choice) in choices.iter().enumerate() {
                col = col.push(
                    act(
                        text(certvault_i18n::render(choice)).size(TEXT),
                        Msg::AnswerChoose(i),
                        button::secondary,
                    )
                    .padding(PAD)
                    .width(Fill),
                );
            }
            col.into()
        }
    }
}

/// The passphrase's strength as it is typed: a bar and the reasons in words.
fn strength_view<'a>(typed: &str) -> El<'a> {
    if typed.is_empty() {
        return small(t!("gui-passphrase-advice"));
    }
    let strength = certvault_core::vault::passphrase::passphrase_strength(typed);
    let label = if strength.acceptable { t!("gui-strength-ok") } else { t!("gui-strength-weak") };
    let mut col = column![
        progress_bar(0.0..=5.0, f32::from(strength.score.min(4)) + 1.0).girth(10),
        text(label).size(TEXT).style(if strength.acceptable { text::success } else { text::danger }),
    ]
    .spacing(6);
    for reason in &strength.reasons {
        col = col.push(small(certvault_i18n::render(reason)));
    }
    col.into()
}

fn screen_view(app: &App) -> El<'_> {
    match &app.screen {
        Screen::Home => home(),
        Screen::Place { moment, sticks } => place(app, *moment, sticks),
        Screen::Codes { dir, recovery_code, pin_code } => column![
            heading(t!("gui-codes-title")),
            para(t!("gui-codes-intro", dir = escaped(&dir.display().to_string()))),
            small(t!("label-recovery-code")),
            text(recovery_code.as_str()).size(HEADING).font(style::code_font()),
            small(t!("label-pin-code")),
            text(pin_code.as_str()).size(HEADING).font(style::code_font()),
            warning(t!("init-codes-once")),
            primary(t!("gui-codes-written"), Msg::CodesWritten),
        ]
        .spacing(GAP)
        .into(),
        Screen::Certificates { found, sealed, .. } => {
            let mut col = column![heading(t!("gui-certificates-title")), para(t!("gui-certificates-intro"))]
                .spacing(GAP);
            for s in sealed {
                col = col.push(text(format!("✓ {s}")).size(TEXT).style(text::success));
            }
            if found.is_empty() {
                col = col.push(small(t!("wizard-no-certs-found")));
            }
            for f in found {
                let name = f.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                let folder = f.path.parent().map(|p| p.display().to_string()).unwrap_or_default();
                let detail = match (&f.who, &f.until) {
                    (Some(who), Some(until)) => t!("gui-found-detail", who = escaped(who), until = until),
                    _ => t!("gui-found-locked"),
                };
                col = col.push(
                    act(
                        column![
                            text(escaped(&name).into_owned()).size(TEXT + 1.0),
                            text(detail).size(SMALL),
                            text(escaped(&folder).into_owned()).size(SMALL)
                        ]
                        .spacing(2),
                        Msg::FileChosen(f.path.clone()),
                        button::secondary,
                    )
                    .width(Fill)
                    .padding(PAD),
                );
            }
            col = col
                .push(small(t!("gui-file-or-drop")))
                .push(
                    row![
                        field(
                            "file",
                            t!("gui-file-placeholder"),
                            &app.inputs.file,
                            Msg::FileInput,
                            Msg::FileTyped
                        ),
                        secondary(t!("gui-use-file"), Msg::FileTyped),
                        browse(Pick::Certificate)
                    ]
                    .spacing(GAP),
                )
                .push(notes(app));
            let next = if sealed.is_empty() {
                row![secondary(t!("gui-home"), Msg::Home)]
            } else {
                row![primary(t!("gui-to-sheet"), Msg::ToSheet), secondary(t!("gui-home"), Msg::Home)]
            };
            col.push(next.spacing(GAP)).into()
        }
        Screen::Summary { summary, purpose, .. } => {
            let purposes = [Purpose::OnlineQualification, Purpose::HpkiSecond, Purpose::Other];
            let choice = row(purposes.into_iter().map(|p| {
                let label = purpose_text(p);
                let style = if p == *purpose { button::primary } else { button::secondary };
                act(text(label).size(TEXT), Msg::PurposeChosen(p), style).padding(PAD).into()
            }))
            .spacing(GAP);
            let days = summary.days_left;
            let validity = format!(
                "{} ({})",
                certvault_core::dates::human_date(&summary.not_after),
                if days < 0 {
                    t!("inspect-expired", days = -days)
                } else {
                    t!("inspect-days-left", days = days)
                }
            );
            let mut col =
                column![heading(t!("add-summary-title")), small(t!("inspect-purpose")), choice].spacing(GAP);
            if let Some(code) = &summary.institution_code {
                col = col.push(para(format!("{}: {}", t!("inspect-institution"), escaped(code))));
            }
            col.push(para(format!("{}: {}", t!("inspect-subject"), escaped(&summary.subject))))
                .push(para(format!("{}: {validity}", t!("inspect-valid-until"))))
                .push(small(format!("{}: {}", t!("inspect-sha1"), summary.sha1)))
                .push(small(t!("gui-hint-why")))
                .push(field("hint", t!("gui-hint-placeholder"), &app.inputs.hint, Msg::HintInput, Msg::Seal))
                .push(
                    checkbox(app.inputs.store_pin)
                        .label(t!("gui-store-pin"))
                        .on_toggle(Msg::StorePin)
                        .size(22)
                        .text_size(TEXT),
                )
                .push(
                    row![primary(t!("gui-seal"), Msg::Seal), secondary(t!("gui-back"), Msg::Back)]
                        .spacing(GAP),
                )
                .into()
        }
        Screen::Sheet { .. } => {
            let mut col = column![
                heading(t!("gui-sheet")),
                para(t!("gui-sheet-intro")),
                small(t!("gui-sheet-where")),
                row![
                    field(
                        "sheet-out",
                        t!("gui-sheet-placeholder"),
                        &app.inputs.sheet_out,
                        Msg::SheetOutInput,
                        Msg::WriteSheet
                    ),
                    browse(Pick::SheetFile)
                ]
                .spacing(GAP),
                checkbox(app.inputs.sheet_split)
                    .label(t!("wizard-sheet-split", threshold = 2, total = 3))
                    .on_toggle(Msg::SheetSplit)
                    .size(22)
                    .text_size(TEXT),
            ]
            .spacing(GAP);
            if !app.has_new_pin_code() {
                col = col.push(small(t!("wizard-pin-code-why"))).push(
                    {
                        stop(Stop::Field("pin-code"));
                        text_input(&t!("gui-pin-code-placeholder"), &app.inputs.pin_code)
                    }
                    .id("pin-code")
                    .secure(true)
                    .on_input(Msg::PinCodeInput)
                    .on_submit(Msg::WriteSheet)
                    .size(TEXT)
                    .padding(PAD),
                );
            }
            col.push(
                row![primary(t!("gui-write-sheet"), Msg::WriteSheet), secondary(t!("gui-home"), Msg::Home)]
                    .spacing(GAP),
            )
            .into()
        }
        Screen::SheetDone { files, with_pin_code, advice, done, preview } => {
            let mut col = column![heading(t!("gui-sheet-done-title"))].spacing(GAP);
            for f in files {
                col = col.push(para(t!("sheet-done", file = escaped(&f.display().to_string()))));
                col = col.push(
                    row![
                        primary(t!("gui-print-file"), Msg::PrintFile(f.clone())),
                        secondary(t!("gui-open-file"), Msg::OpenFile(f.clone())),
                        secondary(t!("gui-delete-file"), Msg::DeleteFile(f.clone())),
                    ]
                    .spacing(GAP),
                );
            }
            col = col.push(para(t!("gui-sheet-print-how")));
            if !with_pin_code {
                col = col.push(warning(t!("gui-sheet-without-pin-code")));
            }
            for line in advice {
                col = col.push(para(format!("・{line}")));
            }
            for line in done {
                col = col.push(small(line.clone()));
            }
            col = col.push(notes(app)).push(primary(t!("gui-home"), Msg::Home));
            if let Some(preview) = preview {
                col = col
                    .push(text(t!("gui-sheet-preview")).size(SUBHEADING))
                    .push(small(t!("gui-sheet-preview-codes-hidden")))
                    .push(sheet_picture(preview));
            }
            col.into()
        }
        Screen::CleanFound { report, .. } => {
            let mut col = column![heading(t!("gui-clean")), clean_table(&report.outcomes)].spacing(GAP);
            if report.summary.would_remove > 0 {
                col = col.push(para(report.notice.clone())).push(primary(
                    t!("gui-clean-apply", count = report.summary.would_remove),
                    Msg::CleanApply,
                ));
            } else {
                col = col.push(para(t!("gui-clean-nothing")));
            }
            if zip_kept(report) {
                col = col.push(para(t!("wizard-next-zip-kept")));
            }
            col = sheets_left(col, report);
            col.push(notes(app)).push(secondary(t!("gui-home"), Msg::Home)).into()
        }
        Screen::CleanDone { report } => {
            let mut col = column![
                heading(t!("gui-clean-done-title")),
                clean_table(&report.outcomes),
                para(t!("gui-clean-summary", removed = report.summary.removed, left = report.summary.left)),
            ]
            .spacing(GAP);
            if zip_kept(report) {
                col = col.push(para(t!("wizard-next-zip-kept")));
            }
            col = sheets_left(col, report);
            col.push(notes(app)).push(primary(t!("gui-home"), Msg::Home)).into()
        }
        Screen::RestoreStart { .. } => {
            let to = app.inputs.restore_to.clone().unwrap_or(RestoreTo::ThisComputer);
            let mut targets = vec![(RestoreTo::ThisComputer, t!("gui-restore-here"))];
            if cfg!(unix) {
                targets.push((RestoreTo::NssFolder, t!("wizard-target-nss-other")));
            }
            targets.push((RestoreTo::File, t!("wizard-target-file")));
            let mut col = column![heading(t!("gui-restore")), para(t!("wizard-restore-intro"))].spacing(GAP);
            for (target, label) in targets {
                let style = if target == to { button::primary } else { button::secondary };
                col = col.push(
                    act(text(label).size(TEXT), Msg::RestoreTo(target), style).padding(PAD).width(Fill),
                );
            }
            if to != RestoreTo::ThisComputer {
                col = col.push(field(
                    "restore-path",
                    t!("gui-restore-path"),
                    &app.inputs.restore_path,
                    Msg::RestorePathInput,
                    Msg::Restore,
                ));
            }
            col.push(forgot_checkbox(app))
                .push(
                    row![
                        primary(t!("gui-restore-start"), Msg::Restore),
                        secondary(t!("gui-home"), Msg::Home)
                    ]
                    .spacing(GAP),
                )
                .into()
        }
        Screen::RestoreDone { report } => {
            let mut col = column![heading(t!("gui-restore-done-title"))].spacing(GAP);
            for r in &report.results {
                let outcome = match r.outcome {
                    RestoreOutcome::Installed => t!("gui-restore-installed"),
                    RestoreOutcome::AlreadyInstalled => t!("gui-restore-already"),
                    RestoreOutcome::Skipped => t!("gui-restore-skipped"),
                    RestoreOutcome::Failed => t!("gui-restore-failed"),
                };
                col = col
                    .push(text(format!("{} — {}", purpose_text(r.purpose), outcome)).size(SUBHEADING))
                    .push(para(escaped(&r.subject).into_owned()))
                    .push(small(t!("gui-thumbprint")))
                    .push(text(r.leaf_sha1.clone()).size(TEXT).font(style::code_font()));
                for n in &r.notes {
                    col = col.push(small(certvault_i18n::render(n)));
                }
                if let Some(e) = &r.failure {
                    col = col.push(warning(certvault_i18n::render(&e.message)));
                }
            }
            if report.results.is_empty() {
                col = col.push(para(t!("gui-restore-none")));
            }
            for step in &report.next_steps {
                col = col.push(para(format!("・{}", certvault_i18n::render(step))));
            }
            col.push(notes(app)).push(primary(t!("gui-home"), Msg::Home)).into()
        }
        Screen::Status { status, outside, dir, details, show_details } => {
            let mut col = column![heading(t!("gui-status"))].spacing(GAP);
            if !outside.is_empty() {
                col = col.push(warning(t!("wizard-rescue-offer", count = outside.len())));
                for line in outside {
                    col = col.push(small(format!("・{}", escaped(line))));
                }
                if dir.is_some() {
                    col = col.push(primary(t!("gui-rescue"), Msg::Rescue));
                }
            }
            if let Some(v) = &status.vault {
                col = col.push(small(t!("gui-status-vault", dir = escaped(&v.dir), entries = v.entries)));
            }
            for item in &status.items {
                let line = format!(
                    "{} {}",
                    if item.level == certvault_core::status::Level::Info { "✓" } else { "!" },
                    item.message
                );
                col = col.push(if item.level == certvault_core::status::Level::Info {
                    para(line)
                } else {
                    warning(line)
                });
                // The next step as this window's screen, a button away (issue 16); a step the
                // window has no screen for keeps its command, for a vendor to run.
                match item.next.and_then(crate::app::moment_for) {
                    Some(m) => col = col.push(secondary(t!("gui-status-go", moment = m.title()), Msg::Go(m))),
                    None if item.next == Some(certvault_core::status::NextStep::RemoveEntry) => {
                        if let (Some(id), Some(_)) = (&item.entry, dir) {
                            col =
                                col.push(secondary(t!("gui-remove-old-entry"), Msg::RemoveEntry(id.clone())));
                        }
                    }
                    None => {
                        if let Some(c) = &item.command {
                            col = col.push(small(t!("gui-status-command", command = escaped(c))));
                        }
                    }
                }
            }
            // Ids and generation for a vendor on the phone, behind a button (issue 16, item 8).
            if !details.is_empty() {
                let label =
                    if *show_details { t!("gui-status-hide-details") } else { t!("gui-status-details") };
                col = col.push(secondary(label, Msg::ToggleDetails));
                if *show_details {
                    // One block, tight like a printout; entries apart by their titles.
                    let mut block = column![].spacing(2);
                    for (indent, line) in details {
                        let text = escaped(line).into_owned();
                        block = block.push(small(if *indent > 0 { format!("　　{text}") } else { text }));
                    }
                    col = col.push(block);
                }
            }
            col.push(notes(app)).push(primary(t!("gui-home"), Msg::Home)).into()
        }
        Screen::Copies { others, .. } => {
            let mut col = column![heading(t!("gui-copies")), para(t!("gui-copies-intro"))].spacing(GAP);
            for other in others {
                col = col.push(
                    act(
                        text(t!("gui-copy-to", dir = escaped(&other.display().to_string()))).size(TEXT),
                        Msg::CopyTo(other.clone()),
                        button::primary,
                    )
                    .width(Fill)
                    .padding(PAD),
                );
            }
            if others.is_empty() {
                col = col.push(warning(t!("gui-copies-no-other-stick")));
            }
            col.push(small(t!("gui-place-or-folder")))
                .push(
                    row![
                        field(
                            "copy-dest",
                            t!("gui-place-placeholder"),
                            &app.inputs.copy_dest,
                            Msg::CopyDestInput,
                            Msg::CopyTyped
                        ),
                        secondary(t!("gui-copy-here"), Msg::CopyTyped),
                        browse(Pick::CopyFolder)
                    ]
                    .spacing(GAP),
                )
                .push(para(t!("gui-copies-check-about")))
                .push(
                    row![
                        secondary(t!("gui-check-copies"), Msg::CheckCopies),
                        secondary(t!("gui-sync-copies"), Msg::SyncCopies),
                        secondary(t!("gui-home"), Msg::Home)
                    ]
                    .spacing(GAP),
                )
                .into()
        }
        Screen::Entries { entries, .. } => {
            let mut col = column![heading(t!("gui-reveal-pin")), para(t!("gui-reveal-intro"))].spacing(GAP);
            for (id, label) in entries {
                col = col.push(
                    act(
                        text(escaped(label).into_owned()).size(TEXT),
                        Msg::RevealFor(id.clone()),
                        button::secondary,
                    )
                    .width(Fill)
                    .padding(PAD),
                );
            }
            if entries.is_empty() {
                col = col.push(para(t!("gui-reveal-none")));
            }
            col.push(secondary(t!("gui-home"), Msg::Home)).into()
        }
        Screen::PinShown { label, pin } => column![
            heading(t!("gui-reveal-pin")),
            para(escaped(label).into_owned()),
            text(pin.as_str()).size(HEADING + 10.0).font(style::code_font()),
            warning(t!("gui-reveal-hide")),
            primary(t!("gui-hide-pin"), Msg::Home),
        ]
        .spacing(GAP)
        .into(),
        Screen::Done { title, lines } => {
            let mut col = column![heading(title.clone())].spacing(GAP);
            for line in lines {
                col = col.push(para(line.clone()));
            }
            col.push(notes(app)).push(primary(t!("gui-home"), Msg::Home)).into()
        }
        Screen::Failed { error, hint, .. } => {
            let mut col = column![heading(t!("gui-failed-title")), warning(error.clone())].spacing(GAP);
            if let Some(h) = hint {
                col = col.push(para(h.clone()));
            }
            col.push(notes(app))
                .push(
                    row![primary(t!("gui-try-again"), Msg::Back), secondary(t!("gui-home"), Msg::Home)]
                        .spacing(GAP),
                )
                .into()
        }
    }
}

/// "Browse…" where the system has dialogs (Windows); nothing elsewhere.
fn browse<'a>(what: Pick) -> El<'a> {
    if cfg!(windows) {
        secondary(t!("gui-browse"), Msg::Browse(what))
    } else {
        space().into()
    }
}

fn purpose_text(p: Purpose) -> String {
    certvault_i18n::message(&format!("purpose-{}", certvault_core::certificate::x509::purpose_id(p)), &[])
}

fn forgot_checkbox(app: &App) -> El<'_> {
    checkbox(app.inputs.forgot_passphrase)
        .label(t!("gui-forgot-passphrase"))
        .on_toggle(Msg::ForgotPassphrase)
        .size(22)
        .text_size(TEXT)
        .into()
}

fn home<'a>() -> El<'a> {
    let moment = |m: Moment, about: String| -> El<'a> {
        act(
            column![text(m.title()).size(SUBHEADING), text(about).size(SMALL)].spacing(4),
            Msg::Go(m),
            button::primary,
        )
        .width(Fill)
        .padding(PAD + 6)
        .into()
    };
    column![
        heading(t!("gui-home-title")),
        para(t!("gui-home-intro")),
        moment(Moment::Backup, t!("gui-backup-about")),
        moment(Moment::Sheet, t!("gui-sheet-about")),
        moment(Moment::Clean, t!("gui-clean-about")),
        moment(Moment::Restore, t!("gui-restore-about")),
        moment(Moment::Renewed, t!("gui-renewed-about")),
        row![
            secondary(Moment::Status.title(), Msg::Go(Moment::Status)),
            secondary(Moment::Copies.title(), Msg::Go(Moment::Copies)),
            secondary(Moment::RevealPin.title(), Msg::Go(Moment::RevealPin)),
            secondary(Moment::Passwd.title(), Msg::Go(Moment::Passwd)),
        ]
        .spacing(GAP),
        // What a vendor asks on the phone: which program this is (the commit: build.rs).
        small(t!("gui-version", version = env!("CARGO_PKG_VERSION"), commit = env!("CERTVAULT_COMMIT"))),
    ]
    .spacing(GAP)
    .into()
}

fn place<'a>(app: &'a App, moment: Moment, sticks: &'a [std::path::PathBuf]) -> El<'a> {
    let mut col = column![heading(moment.title()), para(t!("gui-place-intro"))].spacing(GAP);
    if sticks.is_empty() {
        col = col.push(warning(t!("gui-no-stick"))).push(secondary(t!("gui-look-again"), Msg::Go(moment)));
    }
    for stick in sticks {
        col = col.push(
            act(
                text(t!("gui-stick", dir = escaped(&stick.display().to_string()))).size(TEXT + 1.0),
                Msg::PlaceChosen(stick.clone()),
                button::primary,
            )
            .width(Fill)
            .padding(PAD + 2),
        );
    }
    col = col.push(small(t!("gui-place-or-folder"))).push(
        row![
            field("place", t!("gui-place-placeholder"), &app.inputs.place, Msg::PlaceInput, Msg::PlaceTyped),
            secondary(t!("gui-use-folder"), Msg::PlaceTyped),
            browse(Pick::VaultFolder)
        ]
        .spacing(GAP),
    );
    if moment != Moment::Backup {
        col = col.push(forgot_checkbox(app));
    }
    col.push(secondary(t!("gui-home"), Msg::Home)).into()
}

fn clean_table<R: AsRef<str>>(outcomes: &[certvault_core::clean::Outcome<R>]) -> El<'_> {
    if outcomes.is_empty() {
        return para(t!("gui-clean-none-found"));
    }
    column(outcomes.iter().map(|o| {
        let action = match o.action {
            Action::Removed => t!("gui-clean-removed"),
            Action::WouldRemove | Action::WouldSealAndRemove => t!("gui-clean-would-remove"),
            Action::Left => t!("gui-clean-left"),
        };
        let mut c = column![
            text(escaped(&o.hit.display_path()).into_owned()).size(TEXT),
            text(format!("{} — {action}", certvault_i18n::render(&o.hit.class.message()))).size(SMALL),
        ]
        .spacing(2);
        if let Some(why) = &o.why {
            c = c.push(text(why.as_ref().to_string()).size(SMALL));
        }
        container(c).padding(8).width(Fill).style(container::rounded_box).into()
    }))
    .spacing(8)
    .width(Length::Fill)
    .into()
}

/// The system's light or dark, when it says; light otherwise.
pub fn theme(_app: &App) -> Option<Theme> {
    None
}

/// The sheet as it prints, page under page, at the content column's width.
fn sheet_picture(preview: &Preview) -> El<'_> {
    // The column's width inside its padding, less the pages' outline.
    let width = style::CONTENT_WIDTH - 2.0 * PAGE_PADDING - 2.0;
    let scale = width / preview.width_mm;
    let height = preview.pages.len() as f32 * (preview.height_mm * scale + GAP);
    canvas(SheetPicture { preview, scale })
        .width(Length::Fixed(width + 2.0))
        .height(Length::Fixed(height))
        .into()
}

struct SheetPicture<'a> {
    preview: &'a Preview,
    /// Pixels per millimetre.
    scale: f32,
}

impl canvas::Program<Msg> for SheetPicture<'_> {
    type State = ();

    fn draw(
        &self,
        _state: &(),
        renderer: &iced::Renderer,
        _theme: &Theme,
        bounds: iced::Rectangle,
        _cursor: iced::mouse::Cursor,
    ) -> Vec<canvas::Geometry> {
        use canvas::{Path, Stroke};
        use iced::{Color, Point, Size};
        let s = self.scale;
        let grey = |g: f32| Color::from_rgb(g, g, g);
        let (page_w, page_h) = (self.preview.width_mm * s, self.preview.height_mm * s);
        let mut frame = canvas::Frame::new(renderer, bounds.size());
        for (i, page) in self.preview.pages.iter().enumerate() {
            let top = i as f32 * (page_h + GAP);
            let at = |x: f32, y: f32| Point::new(1.0 + x * s, top + y * s);
            frame.fill_rectangle(Point::new(1.0, top), Size::new(page_w, page_h), Color::WHITE);
            frame.stroke(
                &Path::rectangle(Point::new(1.0, top), Size::new(page_w, page_h)),
                Stroke::default().with_color(grey(0.55)).with_width(1.0),
            );
            for shape in page {
                match shape {
                    Shape::Text { x, baseline, size_mm, grey: g, text, .. } => {
                        // Line height one em: the baseline sits at the font's ascent (0.88 em).
                        frame.fill_text(canvas::Text {
                            content: text.clone(),
                            position: at(*x, baseline - 0.88 * size_mm),
                            size: iced::Pixels(size_mm * s),
                            line_height: iced::widget::text::LineHeight::Relative(1.0),
                            color: grey(*g),
                            font: style::font(),
                            ..canvas::Text::default()
                        });
                    }
                    Shape::Hidden { x, y, w, h } => {
                        frame.fill_rectangle(at(*x, *y), Size::new(w * s, h * s), grey(0.82));
                    }
                    Shape::Rect { x, y, w, h, fill, stroke } => {
                        if let Some(f) = fill {
                            frame.fill_rectangle(at(*x, *y), Size::new(w * s, h * s), grey(*f));
                        }
                        if let Some((g, width)) = stroke {
                            frame.stroke(
                                &Path::rectangle(at(*x, *y), Size::new(w * s, h * s)),
                                Stroke::default().with_color(grey(*g)).with_width((width * s).max(1.0)),
                            );
                        }
                    }
                    Shape::Line { x1, y1, x2, y2, width, grey: g, dashed } => {
                        let mut stroke =
                            Stroke::default().with_color(grey(*g)).with_width((width * s).max(1.0));
                        if *dashed {
                            stroke.line_dash = canvas::LineDash { segments: &[6.0, 4.0], offset: 0 };
                        }
                        frame.stroke(&Path::line(at(*x1, *y1), at(*x2, *y2)), stroke);
                    }
                }
            }
        }
        vec![frame.into_geometry()]
    }
}

/// Recovery sheet PDFs the clean's search came across (issue 16, item 4): with the stick each
/// opens everything, so each gets a button that overwrites and deletes it.
fn sheets_left<'a>(
    mut col: iced::widget::Column<'a, Msg>,
    report: &'a certvault_core::clean::CleanReport<String>,
) -> iced::widget::Column<'a, Msg> {
    let sheets = &report.scan.recovery_sheets;
    if sheets.is_empty() {
        return col;
    }
    col = col.push(warning(t!("gui-clean-sheets-found", count = sheets.len())));
    for sheet in sheets {
        col = col
            .push(small(escaped(&sheet.path.display().to_string()).into_owned()))
            .push(secondary(t!("gui-delete-this-pdf"), Msg::DeleteFile(sheet.path.clone())));
    }
    col
}

/// A zip archive with a copy of a vault entry was kept because it also holds other files.
fn zip_kept(report: &certvault_core::clean::CleanReport<String>) -> bool {
    report.outcomes.iter().any(|o| {
        o.hit.archive_entry.is_some()
            && o.hit.class == certvault_core::scan::classify::Class::InVault
            && o.action == certvault_core::clean::Action::Left
    })
}
