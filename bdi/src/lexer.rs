//! Tokens of AgentSpeak source text, with their line and column.

use crate::error::ParseError;

/// A token kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// Lower-case identifier (atom, functor, keyword such as `not`, `if`).
    Atom(String),
    /// Variable name (upper case or `_`-prefixed; `_` alone is anonymous).
    Var(String),
    /// Internal action name including its leading dot, e.g. `.print`.
    Internal(String),
    /// Integer literal.
    Int(i64),
    /// Floating point literal.
    Float(f64),
    /// String literal (unescaped).
    Str(String),
    /// Punctuation or operator.
    Punct(&'static str),
    /// The clause terminator `.`.
    End,
    /// End of input.
    Eof,
}

impl Tok {
    /// The token as shown in "found ..." parts of error messages.
    pub fn describe(&self) -> String {
        match self {
            Tok::Atom(s) | Tok::Var(s) | Tok::Internal(s) => format!("'{s}'"),
            Tok::Int(i) => format!("'{i}'"),
            Tok::Float(f) => format!("'{f}'"),
            Tok::Str(s) => format!("string \"{s}\""),
            Tok::Punct(p) => format!("'{p}'"),
            Tok::End => "'.'".to_string(),
            Tok::Eof => "end of input".to_string(),
        }
    }
}

/// A token with its position (1-based line and column).
#[derive(Clone, Debug)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

// Longest first, so that `**` wins over `*` and `\==` over `\`.
const PUNCT: [&str; 29] = [
    "\\==", "=..", ":-", "<-", "<=", ">=", "==", "**", "!!", "-+", "(", ")", "[", "]", "{", "}",
    ",", ";", ":", "|", "&", "!", "?", "+", "-", "*", "/", "<", ">",
];
const PUNCT1: [&str; 3] = ["=", "~", "@"];

/// Splits `src` into tokens; the last one is [`Tok::Eof`].
pub fn tokenize(src: &str, file: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    let err = |line, column, message: String| ParseError {
        file: file.to_string(),
        line,
        column,
        message,
    };
    macro_rules! advance {
        ($n:expr) => {
            for _ in 0..$n {
                if chars.get(i) == Some(&'\n') {
                    line += 1;
                    col = 1;
                } else {
                    col += 1;
                }
                i += 1;
            }
        };
    }
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c.is_whitespace() {
            advance!(1);
            continue;
        }
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                advance!(1);
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let (l0, c0) = (line, col);
            advance!(2);
            loop {
                if i >= chars.len() {
                    return Err(err(l0, c0, "unterminated comment: expected '*/'".into()));
                }
                if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    advance!(2);
                    break;
                }
                advance!(1);
            }
            continue;
        }
        let (tl, tc) = (line, col);
        let push = |out: &mut Vec<Token>, tok| {
            out.push(Token {
                tok,
                line: tl,
                column: tc,
            })
        };
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                advance!(1);
            }
            let mut is_float = false;
            if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                is_float = true;
                advance!(1);
                while i < chars.len() && chars[i].is_ascii_digit() {
                    advance!(1);
                }
            }
            if matches!(chars.get(i), Some('e' | 'E')) {
                let sign = usize::from(matches!(chars.get(i + 1), Some('+' | '-')));
                if chars.get(i + 1 + sign).is_some_and(|d| d.is_ascii_digit()) {
                    is_float = true;
                    advance!(1 + sign);
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        advance!(1);
                    }
                }
            }
            let text: String = chars[start..i].iter().collect();
            let tok = if is_float {
                text.parse::<f64>().map(Tok::Float).ok()
            } else {
                match text.parse::<i64>() {
                    Ok(n) => Some(Tok::Int(n)),
                    // Integers and floats are kept apart: a literal past
                    // 64 bits is an error, not a float in disguise.
                    Err(_) if text.chars().all(|c| c.is_ascii_digit()) => {
                        return Err(err(
                            tl,
                            tc,
                            format!(
                                "integer {text} is beyond the 64-bit range (at most {}); write it as a float ({text}.0) if a float is meant",
                                i64::MAX
                            ),
                        ));
                    }
                    Err(_) => None,
                }
            };
            match tok {
                Some(t) => push(&mut out, t),
                None => return Err(err(tl, tc, format!("invalid number '{text}'"))),
            }
            continue;
        }
        let ident_char = |c: char| c.is_alphanumeric() || c == '_';
        if c.is_alphabetic() || c == '_' {
            let start = i;
            loop {
                while i < chars.len() && ident_char(chars[i]) {
                    advance!(1);
                }
                // `math.abs`, `my.pkg.act`: a dot directly followed by a
                // lower-case letter continues a name.
                if chars.get(i) == Some(&'.')
                    && chars.get(i + 1).is_some_and(|d| d.is_lowercase())
                    && c.is_lowercase()
                {
                    advance!(1);
                    continue;
                }
                break;
            }
            let text: String = chars[start..i].iter().collect();
            if c.is_uppercase() || c == '_' {
                push(&mut out, Tok::Var(text));
            } else {
                push(&mut out, Tok::Atom(text));
            }
            continue;
        }
        if c == '.' {
            if next.is_some_and(|d| d.is_lowercase()) {
                let start = i;
                advance!(1);
                loop {
                    while i < chars.len() && ident_char(chars[i]) {
                        advance!(1);
                    }
                    if chars.get(i) == Some(&'.')
                        && chars.get(i + 1).is_some_and(|d| d.is_lowercase())
                    {
                        advance!(1);
                        continue;
                    }
                    break;
                }
                let text: String = chars[start..i].iter().collect();
                push(&mut out, Tok::Internal(text));
            } else {
                push(&mut out, Tok::End);
                advance!(1);
            }
            continue;
        }
        if c == '"' || c == '\'' {
            let quote = c;
            advance!(1);
            let mut s = String::new();
            loop {
                let Some(&ch) = chars.get(i) else {
                    return Err(err(
                        tl,
                        tc,
                        format!("unterminated string: expected closing {quote}"),
                    ));
                };
                if ch == quote {
                    advance!(1);
                    break;
                }
                if ch == '\\' {
                    let Some(&e) = chars.get(i + 1) else {
                        return Err(err(
                            tl,
                            tc,
                            format!("unterminated string: expected closing {quote}"),
                        ));
                    };
                    s.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                    advance!(2);
                    continue;
                }
                s.push(ch);
                advance!(1);
            }
            // Jason writes atoms with odd characters as 'quoted atoms'.
            if quote == '\'' {
                push(&mut out, Tok::Atom(s));
            } else {
                push(&mut out, Tok::Str(s));
            }
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
        if let Some(p) = PUNCT
            .iter()
            .chain(PUNCT1.iter())
            .find(|p| rest.starts_with(**p))
        {
            push(&mut out, Tok::Punct(p));
            advance!(p.chars().count());
            continue;
        }
        return Err(err(tl, tc, format!("unexpected character '{c}'")));
    }
    out.push(Token {
        tok: Tok::Eof,
        line,
        column: col,
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<Tok> {
        tokenize(s, "t")
            .map(|v| v.into_iter().map(|t| t.tok).collect())
            .unwrap_or_default()
    }

    #[test]
    fn distinguishes_clause_end_internal_actions_and_floats() {
        assert_eq!(
            kinds("b(1.5). .print(X)"),
            vec![
                Tok::Atom("b".into()),
                Tok::Punct("("),
                Tok::Float(1.5),
                Tok::Punct(")"),
                Tok::End,
                Tok::Internal(".print".into()),
                Tok::Punct("("),
                Tok::Var("X".into()),
                Tok::Punct(")"),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn comments_are_skipped_and_positions_kept() {
        let toks = tokenize("// x\n/* y\n */ a \\== -+b", "t").unwrap_or_default();
        assert_eq!(toks[0].tok, Tok::Atom("a".into()));
        assert_eq!((toks[0].line, toks[0].column), (3, 5));
        assert_eq!(toks[1].tok, Tok::Punct("\\=="));
        assert_eq!(toks[2].tok, Tok::Punct("-+"));
    }

    #[test]
    fn unterminated_string_is_an_error_with_position() {
        let e = tokenize("a.\n  \"abc", "f.asl").err();
        assert_eq!(e.map(|e| (e.line, e.column)), Some((2, 3)));
    }
}
