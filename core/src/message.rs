//! What the core has to say, named but not phrased: a Fluent message id and its arguments.
//! The front-ends phrase it in the user's language (`i18n/*/certvault.ftl`); the core never
//! renders text for people, so the same value serves the terminal, `--json` and the window.

use std::fmt;

/// A message id with its placeables. Arguments are plain text, or other messages that the
/// front-end phrases first (a reason inside an error, a purpose inside a list line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Message(Message),
    /// Several messages, phrased and joined by the front-end ("; ").
    List(Vec<Message>),
}

impl Message {
    pub fn new(id: &'static str) -> Message {
        Message { id, args: Vec::new() }
    }

    pub fn arg(mut self, name: &'static str, value: impl IntoArg) -> Message {
        self.args.push((name, value.into_arg()));
        self
    }

    /// The text argument `name`, if the message has one (tests and JSON fields use this).
    pub fn text_arg(&self, name: &str) -> Option<&str> {
        self.args.iter().find(|(n, _)| *n == name).and_then(|(_, a)| match a {
            Arg::Text(t) => Some(t.as_str()),
            Arg::Message(_) | Arg::List(_) => None,
        })
    }
}

/// Values a message can carry: anything shown as text, or another message.
pub trait IntoArg {
    fn into_arg(self) -> Arg;
}

impl IntoArg for Message {
    fn into_arg(self) -> Arg {
        Arg::Message(self)
    }
}

impl IntoArg for &Message {
    fn into_arg(self) -> Arg {
        Arg::Message(self.clone())
    }
}

impl IntoArg for Arg {
    fn into_arg(self) -> Arg {
        self
    }
}

impl IntoArg for &Arg {
    fn into_arg(self) -> Arg {
        self.clone()
    }
}

impl IntoArg for &&Message {
    fn into_arg(self) -> Arg {
        Arg::Message((*self).clone())
    }
}

/// Anything shown as text is formatted once, here: numbers keep the form we chose (Fluent
/// would group digits per locale) and paths their platform form.
impl<T: fmt::Display> IntoArg for T {
    fn into_arg(self) -> Arg {
        Arg::Text(self.to_string())
    }
}

/// `msg!("id")` or `msg!("id", name = value, …)`: a [`Message`], to be phrased by a front-end.
/// Values are borrowed (as `format!` does) and turned into text, or kept as messages.
#[macro_export]
macro_rules! msg {
    ($id:expr) => {
        $crate::message::Message::new($id)
    };
    ($id:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::message::Message {
            id: $id,
            args: vec![$((stringify!($name), $crate::message::IntoArg::into_arg(&$value))),+],
        }
    };
}

/// "1,234,567" (both languages use the comma).
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_keep_their_names_and_text() {
        let inner = msg!("q-inner");
        let m =
            msg!("q-x", file = std::path::Path::new("/a/b.p12").display(), count = 3u64, why = inner.clone());
        assert_eq!(m.id, "q-x");
        assert_eq!(m.text_arg("file"), Some("/a/b.p12"));
        assert_eq!(m.text_arg("count"), Some("3"));
        assert_eq!(m.args[2], ("why", Arg::Message(inner)));
    }
}
