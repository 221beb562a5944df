//! `certvault-gui`: the desktop window. On Windows it is a windows-subsystem program: a
//! double-click opens the window and no console.
#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> iced::Result {
    let _hardened = certvault_core::hardening::disable_core_dumps();
    certvault_i18n::init(certvault_i18n::Lang::detect());
    certvault_gui::run()
}
