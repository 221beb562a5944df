//! `certvault-gui`: the desktop window. On Windows it is a windows-subsystem program: a
//! double-click opens the window and no console.
#![cfg_attr(windows, windows_subsystem = "windows")]

fn main() -> std::process::ExitCode {
    let _hardened = certvault_core::hardening::disable_core_dumps();
    certvault_i18n::init(certvault_i18n::Lang::detect());
    // Without a display the toolkit would panic; say what is missing and where the terminal
    // program is instead.
    #[cfg(all(unix, not(target_os = "macos")))]
    if ["DISPLAY", "WAYLAND_DISPLAY", "WAYLAND_SOCKET"].iter().all(|v| std::env::var_os(v).is_none()) {
        eprintln!("certvault-gui: {}", certvault_i18n::message("gui-no-display", &[]));
        return std::process::ExitCode::from(2);
    }
    match certvault_gui::run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("certvault-gui: {}", certvault_i18n::t!("gui-cannot-open", detail = e));
            std::process::ExitCode::from(2)
        }
    }
}
