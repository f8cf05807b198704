//! The parser of the targeting language: tokens into a spanned syntax tree.
//!
//! A hand-written recursive-descent parser with a depth limit, so that hostile input such as
//! ten thousand `(` yields an error instead of a stack overflow.
use super::lexer::{lex, Tok, Token};
use super::{ExprError, ExprErrorKind};
use touchpoint_core::expr::{CmpOp, DateFn, Expr, ExprKind, Glob, Literal, Span, Var};

/// Deepest nesting accepted.
pub const MAX_DEPTH: usize = 64;

/// Parse a whole condition.
///
/// # Errors
/// The first syntax error, with its span.
pub fn parse(src: &str) -> Result<Expr, ExprError> {
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(p.error_here("expected a condition, found nothing"));
    }
    let e = p.or()?;
    if p.peek() != &Tok::Eof {
        let t = p.current();
        let msg = match t.tok {
            Tok::Eq | Tok::Ne | Tok::Lt | Tok::Le | Tok::Gt | Tok::Ge => {
                "comparisons cannot be chained: join them with `and`".to_owned()
            }
            Tok::RParen => "unmatched `)`".to_owned(),
            _ => format!(
                "expected `and`, `or` or the end, found {}",
                t.tok.describe()
            ),
        };
        return Err(ExprError::new(ExprErrorKind::Syntax, t.span, &msg));
    }
    Ok(e)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn current(&self) -> &Token {
        // The token list always ends with Eof and `pos` never passes it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek(&self) -> &Tok {
        &self.current().tok
    }

    fn peek2(&self) -> &Tok {
        &self.tokens[(self.pos + 1).min(self.tokens.len() - 1)].tok
    }

    fn bump(&mut self) -> Token {
        let t = self.current().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn error_here(&self, message: &str) -> ExprError {
        ExprError::new(ExprErrorKind::Syntax, self.current().span, message)
    }

    fn expected(&self, what: &str) -> ExprError {
        let found = self.peek().describe();
        self.error_here(&format!("expected {what}, found {found}"))
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Token, ExprError> {
        if *self.peek() == tok {
            Ok(self.bump())
        } else {
            Err(self.expected(what))
        }
    }

    fn enter(&mut self) -> Result<(), ExprError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ExprError::new(
                ExprErrorKind::TooDeep,
                self.current().span,
                "condition nested too deeply",
            ));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, ExprError> {
        self.enter()?;
        let mut left = self.and()?;
        while self.peek() == &Tok::Or {
            self.bump();
            let right = self.and()?;
            let span = left.span.to(right.span);
            left = Expr {
                kind: ExprKind::Or(Box::new(left), Box::new(right)),
                span,
            };
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, ExprError> {
        let mut left = self.not()?;
        while self.peek() == &Tok::And {
            self.bump();
            let right = self.not()?;
            let span = left.span.to(right.span);
            left = Expr {
                kind: ExprKind::And(Box::new(left), Box::new(right)),
                span,
            };
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, ExprError> {
        if self.peek() == &Tok::Not {
            self.enter()?;
            let start = self.bump().span;
            let inner = self.not()?;
            self.depth -= 1;
            let span = start.to(inner.span);
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, ExprError> {
        let left = self.primary()?;
        let op = match self.peek() {
            Tok::Eq => Some(CmpOp::Eq),
            Tok::Ne => Some(CmpOp::Ne),
            Tok::Lt => Some(CmpOp::Lt),
            Tok::Le => Some(CmpOp::Le),
            Tok::Gt => Some(CmpOp::Gt),
            Tok::Ge => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = op {
            self.bump();
            let right = self.primary()?;
            let span = left.span.to(right.span);
            return Ok(Expr {
                kind: ExprKind::Cmp(op, Box::new(left), Box::new(right)),
                span,
            });
        }
        match self.peek() {
            Tok::In => {
                self.bump();
                let list = self.list_after_in()?;
                let span = left.span.to(list.span);
                Ok(Expr {
                    kind: ExprKind::In(Box::new(left), Box::new(list), false),
                    span,
                })
            }
            Tok::Not if self.peek2() == &Tok::In => {
                self.bump();
                self.bump();
                let list = self.list_after_in()?;
                let span = left.span.to(list.span);
                Ok(Expr {
                    kind: ExprKind::In(Box::new(left), Box::new(list), true),
                    span,
                })
            }
            Tok::Contains => {
                self.bump();
                let right = self.primary()?;
                let span = left.span.to(right.span);
                Ok(Expr {
                    kind: ExprKind::Contains(Box::new(left), Box::new(right)),
                    span,
                })
            }
            Tok::Matches => {
                self.bump();
                let t = self.bump();
                let Tok::Str(pattern) = t.tok else {
                    return Err(ExprError::new(
                        ExprErrorKind::Syntax,
                        t.span,
                        &format!(
                            "expected a quoted glob pattern after `matches`, found {}",
                            t.tok.describe()
                        ),
                    ));
                };
                let span = left.span.to(t.span);
                Ok(Expr {
                    kind: ExprKind::Matches(Box::new(left), Glob::new(&pattern)),
                    span,
                })
            }
            _ => Ok(left),
        }
    }

    fn list_after_in(&mut self) -> Result<Expr, ExprError> {
        if self.peek() != &Tok::LBracket {
            return Err(self.expected("a list like `[\"a\", \"b\"]` after `in`"));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, ExprError> {
        let t = self.bump();
        let lit = |l| {
            Ok(Expr {
                kind: ExprKind::Lit(l),
                span: t.span,
            })
        };
        match t.tok {
            Tok::Str(ref s) => lit(Literal::Str(s.clone())),
            Tok::Num(n) => lit(Literal::Num(n)),
            Tok::Date(d) => lit(Literal::Date(d)),
            Tok::Duration(d) => lit(Literal::Duration(d)),
            Tok::True => lit(Literal::Bool(true)),
            Tok::False => lit(Literal::Bool(false)),
            Tok::LParen => {
                let inner = self.or()?;
                let close = self.expect(Tok::RParen, "`)` to close the `(`")?;
                Ok(Expr {
                    kind: inner.kind,
                    span: t.span.to(close.span),
                })
            }
            Tok::LBracket => {
                self.enter()?;
                let mut items = Vec::new();
                while self.peek() != &Tok::RBracket {
                    items.push(self.primary()?);
                    if self.peek() == &Tok::Comma {
                        self.bump();
                    } else if self.peek() != &Tok::RBracket {
                        return Err(self.expected("`,` or `]` in the list"));
                    }
                }
                self.depth -= 1;
                let close = self.bump();
                Ok(Expr {
                    kind: ExprKind::List(items),
                    span: t.span.to(close.span),
                })
            }
            Tok::Ident(ref name) => self.name(name, t.span),
            Tok::Eof => Err(ExprError::new(
                ExprErrorKind::Syntax,
                t.span,
                "expected a value, found the end of the condition",
            )),
            ref other => Err(ExprError::new(
                ExprErrorKind::Syntax,
                t.span,
                &format!("expected a value, found {}", other.describe()),
            )),
        }
    }

    fn field(&mut self, of: &str) -> Result<(String, Span), ExprError> {
        self.expect(Tok::Dot, &format!("`.` and a field after `{of}`"))?;
        let t = self.bump();
        match t.tok {
            Tok::Ident(name) => Ok((name, t.span)),
            // Keywords are fine as trait names (`user.in` would be odd but legal).
            Tok::And => Ok(("and".into(), t.span)),
            Tok::Or => Ok(("or".into(), t.span)),
            Tok::Not => Ok(("not".into(), t.span)),
            Tok::In => Ok(("in".into(), t.span)),
            Tok::Contains => Ok(("contains".into(), t.span)),
            Tok::Matches => Ok(("matches".into(), t.span)),
            other => Err(ExprError::new(
                ExprErrorKind::Syntax,
                t.span,
                &format!(
                    "expected a field name after `{of}.`, found {}",
                    other.describe()
                ),
            )),
        }
    }

    fn name(&mut self, name: &str, span: Span) -> Result<Expr, ExprError> {
        let var = |v, s: Span| {
            Ok(Expr {
                kind: ExprKind::Var(v),
                span: span.to(s),
            })
        };
        match name {
            "user" | "account" => {
                let (field, fspan) = self.field(name)?;
                // Nested traits (`user.address.country`) are written with dots.
                let mut path = field;
                let mut end = fspan;
                while self.peek() == &Tok::Dot {
                    let (more, s) = self.field(name)?;
                    path.push('.');
                    path.push_str(&more);
                    end = s;
                }
                if name == "user" {
                    var(Var::User(path), end)
                } else {
                    var(Var::Account(path), end)
                }
            }
            "page" => {
                let (field, fspan) = self.field(name)?;
                let v = match field.as_str() {
                    "url" => Var::PageUrl,
                    "path" => Var::PagePath,
                    "title" => Var::PageTitle,
                    _ => {
                        return Err(ExprError::new(
                            ExprErrorKind::UnknownName,
                            fspan,
                            &format!("unknown page field `{field}`: expected url, path or title"),
                        ))
                    }
                };
                var(v, fspan)
            }
            "locale" => var(Var::Locale, span),
            "event" => {
                self.expect(Tok::LParen, "`(` and a quoted event name after `event`")?;
                let t = self.bump();
                let Tok::Str(ev) = t.tok else {
                    return Err(ExprError::new(
                        ExprErrorKind::Syntax,
                        t.span,
                        &format!("expected a quoted event name, found {}", t.tok.describe()),
                    ));
                };
                self.expect(Tok::RParen, "`)` after the event name")?;
                let (field, fspan) = self.field("event(..)")?;
                match field.as_str() {
                    "count" => var(Var::EventCount(ev), fspan),
                    "last_seen" => var(Var::EventLastSeen(ev), fspan),
                    _ => Err(ExprError::new(
                        ExprErrorKind::UnknownName,
                        fspan,
                        &format!("unknown event field `{field}`: expected count or last_seen"),
                    )),
                }
            }
            _ if DateFn::from_name(name).is_some() => {
                let f = DateFn::from_name(name).unwrap_or(DateFn::TimeSince);
                self.expect(Tok::LParen, &format!("`(` after `{name}`"))?;
                self.enter()?;
                let arg = self.or()?;
                self.depth -= 1;
                let close = self.expect(Tok::RParen, &format!("`)` to close `{name}(`"))?;
                Ok(Expr {
                    kind: ExprKind::Call(f, Box::new(arg)),
                    span: span.to(close.span),
                })
            }
            _ => Err(ExprError::new(
                ExprErrorKind::UnknownName,
                span,
                &format!(
                    "unknown name `{name}`: expected user.…, account.…, page.…, locale, \
                     event(\"…\"), days_until, days_since, time_until or time_since \
                     (strings need quotes)"
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn span_of(src: &str) -> Span {
        parse(src).unwrap_err().span
    }

    #[test]
    fn parses_precedence() {
        let e = parse("not a.x or user.b and user.c").unwrap_err();
        assert_eq!(e.kind, ExprErrorKind::UnknownName);
        let e = parse("not user.x or user.b and user.c").unwrap();
        assert!(matches!(e.kind, ExprKind::Or(..)));
        let e = parse("(user.x or user.b) and user.c").unwrap();
        assert!(matches!(e.kind, ExprKind::And(..)));
    }

    #[test]
    fn parses_calls_lists_and_events() {
        assert!(parse("days_until(account.renewal_date) <= 120").is_ok());
        assert!(parse("event(\"invoice_sent\").count >= 3").is_ok());
        assert!(parse("user.role not in ['admin', 'owner',]").is_ok());
        assert!(parse("page.path matches '/app/**'").is_ok());
        assert!(parse("user.address.country == 'FR'").is_ok());
    }

    #[test]
    fn errors_point_at_the_culprit() {
        assert_eq!(span_of("user.plan == "), Span::new(13, 13));
        assert_eq!(span_of("user.plan == 'a' 'b'"), Span::new(17, 20));
        assert_eq!(span_of("1 < 2 < 3"), Span::new(6, 7));
        assert_eq!(span_of("page.foo == 'x'"), Span::new(5, 8));
        assert_eq!(span_of("user.x in 'a'"), Span::new(10, 13));
        assert_eq!(span_of("(user.x"), Span::new(7, 7));
        assert_eq!(span_of("event('x').total"), Span::new(11, 16));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "(".repeat(10_000);
        assert_eq!(parse(&src).unwrap_err().kind, ExprErrorKind::TooDeep);
        let src = "not ".repeat(10_000) + "true";
        assert_eq!(parse(&src).unwrap_err().kind, ExprErrorKind::TooDeep);
    }
}
