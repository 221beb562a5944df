//! certvault's desktop window: the four moments of a clinic (back up, print the recovery
//! sheet, clean up, restore on a new PC), the status checklist and the second stick, for
//! people who expect a window rather than a terminal.
//!
//! Every operation is the core's (`certvault-core`), called exactly as the terminal calls it;
//! every text is the shared Fluent messages (`certvault-i18n`). This crate only shows screens
//! (`view`), keeps what the user chose (`app`), and runs the core's operations on a worker
//! thread whose questions it answers on screen (`job`).

pub mod app;
pub mod job;
pub mod style;
pub mod view;

pub use app::{App, Effect, Msg};

/// IPAex Gothic (IPA Font License, `assets/fonts/`): every Japanese and English character of
/// the messages is in it (tested), and it is what the recovery sheet prints with.
pub const FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/ipaexg.ttf");
pub const FONT_NAME: &str = "IPAexGothic";

use std::sync::{Arc, Mutex};

use iced::keyboard::{key::Named, Key};
use iced::{event, window, Event, Subscription, Task};

/// Opens the window and runs until it is closed.
pub fn run() -> iced::Result {
    iced::application(App::default, update, view::view)
        .title(|_: &App| certvault_i18n::message("gui-window-title", &[]))
        .font(FONT_BYTES)
        .default_font(style::font())
        .theme(view::theme)
        .subscription(subscription)
        .window_size((900.0, 760.0))
        .run()
}

fn update(app: &mut App, msg: Msg) -> Task<Msg> {
    match app.update(msg) {
        Effect::None => Task::none(),
        Effect::Job(events) => Task::run(events, |event| Msg::Job(Arc::new(Mutex::new(Some(event))))),
        Effect::Focus(id) => iced::widget::operation::focus(id),
        Effect::Open(path) => {
            open_with_system(&path);
            Task::none()
        }
        Effect::Pick(what) => pick(what),
    }
}

/// The system's dialog for `what`, off the window's thread.
#[cfg(windows)]
fn pick(what: app::Pick) -> Task<Msg> {
    use app::Pick;
    let title = certvault_i18n::message("gui-browse", &[]);
    let dialog = rfd::AsyncFileDialog::new().set_title(title);
    let chosen = async move {
        let handle = match what {
            Pick::VaultFolder | Pick::CopyFolder => dialog.pick_folder().await,
            Pick::Certificate => dialog.add_filter("PKCS#12", &["p12", "pfx"]).pick_file().await,
            Pick::SheetFile => {
                dialog.add_filter("PDF", &["pdf"]).set_file_name("recovery-sheet.pdf").save_file().await
            }
        };
        handle.map(|h| h.path().to_path_buf())
    };
    Task::perform(chosen, move |path| Msg::Picked(what, path))
}

/// No system dialog here: the path is typed or dropped onto the window.
#[cfg(not(windows))]
fn pick(_: app::Pick) -> Task<Msg> {
    Task::none()
}

/// Keys that move, press and leave (Tab, Shift+Tab, Enter, Escape) and files dropped onto the window.
fn subscription(_: &App) -> Subscription<Msg> {
    event::listen_with(|event, status, _window| match event {
        Event::Keyboard(iced::keyboard::Event::KeyPressed {
            key: Key::Named(Named::Tab), modifiers, ..
        }) => Some(Msg::TabPressed { shift: modifiers.shift() }),
        Event::Keyboard(iced::keyboard::Event::KeyPressed { key: Key::Named(Named::Enter), .. })
            if status == event::Status::Ignored =>
        {
            Some(Msg::EnterPressed)
        }
        Event::Keyboard(iced::keyboard::Event::KeyPressed { key: Key::Named(Named::Escape), .. })
            if status == event::Status::Ignored =>
        {
            Some(Msg::EscapePressed)
        }
        Event::Window(window::Event::FileDropped(path)) => Some(Msg::FileDropped(path)),
        _ => None,
    })
}

/// The system's program for `path` (a PDF viewer, from which the user prints).
fn open_with_system(path: &std::path::Path) {
    #[cfg(windows)]
    let opener = std::process::Command::new("explorer.exe").arg(path).spawn();
    #[cfg(target_os = "macos")]
    let opener = std::process::Command::new("open").arg(path).spawn();
    #[cfg(all(unix, not(target_os = "macos")))]
    let opener = std::process::Command::new("xdg-open").arg(path).spawn();
    // Nothing to open it with: the file is where the screen says; the user opens it.
    drop(opener);
}
