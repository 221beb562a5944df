//! Japanese typed through the system's input method (IME) reaches the window's text fields:
//! the composing text (preedit) is shown, and the committed text becomes the field's value.
//! The toolkit turns the system's IME messages into these events (iced_winit); here they are
//! sent as the toolkit delivers them. (No IME runs under Xvfb or Wine here to drive it for
//! real.)

use certvault_gui::app::Moment;
use certvault_gui::{App, Msg};
use certvault_i18n::{t, Lang};
use iced_test::core::{input_method, Event, Settings};
use iced_test::simulator::Simulator;

#[test]
fn text_committed_by_an_input_method_lands_in_the_field() {
    let mut app = App::new(Lang::Ja);
    let _ = app.update(Msg::Go(Moment::Backup));
    let settings = Settings {
        fonts: vec![certvault_gui::FONT_BYTES.into()],
        default_font: certvault_gui::style::font(),
        ..Settings::default()
    };
    let mut ui = Simulator::with_size(settings, (900.0, 1600.0), certvault_gui::view::view(&app));
    // The folder field, found by what it shows while empty.
    ui.click(t!("gui-place-placeholder").as_str()).expect("the folder field is on the backup screen");
    ui.simulate([
        Event::InputMethod(input_method::Event::Opened),
        Event::InputMethod(input_method::Event::Preedit("さくら".into(), Some(0..9))),
        Event::InputMethod(input_method::Event::Commit("さくら内科".into())),
        Event::InputMethod(input_method::Event::Closed),
    ]);
    let typed: Vec<String> = ui
        .into_messages()
        .filter_map(|m| match m {
            Msg::PlaceInput(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(typed.last().map(String::as_str), Some("さくら内科"), "the field got: {typed:?}");
}
