//! The widget's own strings (buttons, survey scale labels, progress) in English, German,
//! French, Spanish, Japanese and Arabic, and the text direction of a locale. CS-authored
//! content is localised in the campaign; these are the words around it. Unknown languages
//! fall back to English.

/// A string the widget itself shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Text {
    Close,
    Next,
    Back,
    Done,
    /// `{0}`: the step, `{1}`: how many.
    StepOf,
    NotLikely,
    VeryLikely,
    Unsatisfied,
    Satisfied,
    Submit,
    ThankYou,
    FollowUp,
    YourAnswer,
    WhatsNew,
    /// `{0}`: how many.
    Unread,
    NothingNew,
    /// `{0}`: done, `{1}`: how many.
    ItemsDone,
    Completed,
}

const LANGS: [&str; 6] = ["en", "de", "fr", "es", "ja", "ar"];

#[rustfmt::skip]
fn table(text: Text) -> [&'static str; 6] {
    use Text::*;
    match text {
        Close => ["Close", "Schließen", "Fermer", "Cerrar", "閉じる", "إغلاق"],
        Next => ["Next", "Weiter", "Suivant", "Siguiente", "次へ", "التالي"],
        Back => ["Back", "Zurück", "Retour", "Atrás", "戻る", "السابق"],
        Done => ["Done", "Fertig", "Terminé", "Listo", "完了", "تم"],
        StepOf => ["Step {0} of {1}", "Schritt {0} von {1}", "Étape {0} sur {1}", "Paso {0} de {1}", "ステップ {0}/{1}", "الخطوة {0} من {1}"],
        NotLikely => ["Not likely", "Unwahrscheinlich", "Peu probable", "Poco probable", "可能性は低い", "غير محتمل"],
        VeryLikely => ["Very likely", "Sehr wahrscheinlich", "Très probable", "Muy probable", "可能性は高い", "محتمل جدًا"],
        Unsatisfied => ["Very unsatisfied", "Sehr unzufrieden", "Très insatisfait", "Muy insatisfecho", "とても不満", "غير راضٍ إطلاقًا"],
        Satisfied => ["Very satisfied", "Sehr zufrieden", "Très satisfait", "Muy satisfecho", "とても満足", "راضٍ جدًا"],
        Submit => ["Submit", "Senden", "Envoyer", "Enviar", "送信", "إرسال"],
        ThankYou => ["Thank you!", "Vielen Dank!", "Merci !", "¡Gracias!", "ありがとうございました。", "شكرًا لك!"],
        FollowUp => ["What is the main reason for your score?", "Was ist der wichtigste Grund für Ihre Bewertung?", "Quelle est la principale raison de votre note ?", "¿Cuál es el motivo principal de su puntuación?", "そのスコアの主な理由は何ですか?", "ما السبب الرئيسي لتقييمك؟"],
        YourAnswer => ["Your answer", "Ihre Antwort", "Votre réponse", "Su respuesta", "回答", "إجابتك"],
        WhatsNew => ["What's new", "Neuigkeiten", "Nouveautés", "Novedades", "お知らせ", "ما الجديد"],
        Unread => ["{0} unread", "{0} ungelesen", "{0} non lus", "{0} sin leer", "未読 {0} 件", "{0} غير مقروءة"],
        NothingNew => ["Nothing new right now.", "Gerade gibt es nichts Neues.", "Rien de nouveau pour le moment.", "No hay novedades por ahora.", "新しいお知らせはありません。", "لا جديد حاليًا."],
        ItemsDone => ["{0} of {1} done", "{0} von {1} erledigt", "{0} sur {1} terminées", "{0} de {1} completadas", "{1} 件中 {0} 件完了", "تم {0} من {1}"],
        Completed => ["done", "erledigt", "terminé", "completado", "完了", "مكتمل"],
    }
}

/// The language index of `locale` (`de-AT` → German), English when unknown.
fn lang(locale: &str) -> usize {
    let l = locale.split(['-', '_']).next().unwrap_or("");
    LANGS
        .iter()
        .position(|c| c.eq_ignore_ascii_case(l))
        .unwrap_or(0)
}

/// `text` in `locale`.
pub fn t(locale: &str, text: Text) -> &'static str {
    table(text)[lang(locale)]
}

/// `text` in `locale` with `{0}`, `{1}`… filled in.
pub fn tf(locale: &str, text: Text, args: &[&dyn std::fmt::Display]) -> String {
    // By hand rather than `str::replace`, whose substring search is kilobytes of wasm.
    let mut out = String::new();
    let mut rest = t(locale, text);
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let digit = after.chars().next().and_then(|c| c.to_digit(10));
        match digit.map(|n| n as usize) {
            Some(n) if n < args.len() && after.get(1..2) == Some("}") => {
                out.push_str(&args[n].to_string());
                rest = &after[2..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whether `locale` is written right to left.
pub fn is_rtl(locale: &str) -> bool {
    let l = locale.split(['-', '_']).next().unwrap_or("");
    ["ar", "he", "fa", "ur"]
        .iter()
        .any(|c| c.eq_ignore_ascii_case(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_language_and_falls_back_to_english() {
        assert_eq!(t("de-AT", Text::Close), "Schließen");
        assert_eq!(t("ja", Text::Next), "次へ");
        assert_eq!(t("pt-BR", Text::Submit), "Submit");
        assert_eq!(t("", Text::ThankYou), "Thank you!");
        assert_eq!(tf("fr", Text::StepOf, &[&2, &5]), "Étape 2 sur 5");
        assert_eq!(tf("ar", Text::StepOf, &[&2, &5]), "الخطوة 2 من 5");
        assert!(is_rtl("ar-EG") && !is_rtl("en"));
    }
}
