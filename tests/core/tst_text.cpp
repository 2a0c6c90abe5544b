// The shared text rule (core/text.h): every class of forbidden code point,
// invalid UTF-8, and names in other scripts that must stay allowed.
#include "coretest.h"
#include "core/base/text.h"

#include <QTest>

using namespace sc;
using namespace sctest;

class TstText : public QObject {
    Q_OBJECT

private slots:
    void forbidden_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("kind"); ///< ForbiddenText::kindName(), empty: allowed
        QTest::addColumn<QString>("described"); ///< ForbiddenText::toString()

        auto row = [](const char* name, const QByteArray& text, const char* kind, const char* described) {
            QTest::newRow(name) << text << QString::fromUtf8(kind) << QString::fromUtf8(described);
        };
        const char* control = "a control character";
        const char* bidi = "a bidirectional control character";

        // C0 and DEL
        row("NUL", QByteArray("a\0b", 3), control, "U+0000 NULL at byte 2");
        row("tab", "a\tb", control, "U+0009 CHARACTER TABULATION at byte 2");
        row("line feed", "\n", control, "U+000A LINE FEED at byte 1");
        row("carriage return", "ab\r", control, "U+000D CARRIAGE RETURN at byte 3");
        row("escape", "\x1b[31m", control, "U+001B ESCAPE at byte 1");
        row("U+001F", "x\x1f", control, "U+001F (a control character) at byte 2");
        row("DEL", "x\x7f", control, "U+007F DELETE at byte 2");
        // C1: two bytes each in UTF-8
        row("U+0080", "\xC2\x80", control, "U+0080 (a control character) at byte 1");
        row("U+0085 NEXT LINE", "ab\xC2\x85", control, "U+0085 NEXT LINE at byte 3");
        row("U+009B CSI",
            "\xC2\x9B"
            "31m",
            control, "U+009B CONTROL SEQUENCE INTRODUCER at byte 1");
        row("U+009F", "a\xC2\x9F", control, "U+009F (a control character) at byte 2");
        // Line and paragraph separators
        row("U+2028",
            "a\xE2\x80\xA8"
            "b",
            "a line separator", "U+2028 LINE SEPARATOR at byte 2");
        row("U+2029",
            "a\xE2\x80\xA9"
            "b",
            "a paragraph separator", "U+2029 PARAGRAPH SEPARATOR at byte 2");
        // Bidirectional controls
        row("U+061C", "\xD8\x9C", bidi, "U+061C ARABIC LETTER MARK at byte 1");
        row("U+200E", "a\xE2\x80\x8E", bidi, "U+200E LEFT-TO-RIGHT MARK at byte 2");
        row("U+200F", "a\xE2\x80\x8F", bidi, "U+200F RIGHT-TO-LEFT MARK at byte 2");
        row("U+202A", "\xE2\x80\xAA", bidi, "U+202A LEFT-TO-RIGHT EMBEDDING at byte 1");
        row("U+202B", "\xE2\x80\xAB", bidi, "U+202B RIGHT-TO-LEFT EMBEDDING at byte 1");
        row("U+202C", "\xE2\x80\xAC", bidi, "U+202C POP DIRECTIONAL FORMATTING at byte 1");
        row("U+202D", "\xE2\x80\xAD", bidi, "U+202D LEFT-TO-RIGHT OVERRIDE at byte 1");
        row("U+202E in a name",
            "ab\xE2\x80\xAE"
            "cod.exe",
            bidi, "U+202E RIGHT-TO-LEFT OVERRIDE at byte 3");
        row("U+2066", "\xE2\x81\xA6", bidi, "U+2066 LEFT-TO-RIGHT ISOLATE at byte 1");
        row("U+2067", "\xE2\x81\xA7", bidi, "U+2067 RIGHT-TO-LEFT ISOLATE at byte 1");
        row("U+2068", "\xE2\x81\xA8", bidi, "U+2068 FIRST STRONG ISOLATE at byte 1");
        row("U+2069", "\xE2\x81\xA9", bidi, "U+2069 POP DIRECTIONAL ISOLATE at byte 1");
        // The first one counts
        row("first of two", "Zo\xC3\xAB\xE2\x80\xAE\x01", bidi, "U+202E RIGHT-TO-LEFT OVERRIDE at byte 5");
        // Invalid UTF-8
        const char* invalid = "invalid UTF-8";
        row("byte FF", "a\xFF", invalid, "invalid UTF-8 (0xFF) at byte 2");
        row("lone continuation byte", "\x80", invalid, "invalid UTF-8 (0x80) at byte 1");
        row("Latin-1 e acute", "caf\xE9", invalid, "invalid UTF-8 (0xE9) at byte 4");
        row("truncated sequence", "a\xE2\x80", invalid, "invalid UTF-8 (0xE2) at byte 2");
        row("overlong '/'", "\xC0\xAF", invalid, "invalid UTF-8 (0xC0) at byte 1");
        row("overlong NUL in 3 bytes", "\xE0\x80\x80", invalid, "invalid UTF-8 (0xE0) at byte 1");
        row("UTF-16 surrogate", "\xED\xA0\x80", invalid, "invalid UTF-8 (0xED) at byte 1");
        row("beyond U+10FFFF", "\xF4\x90\x80\x80", invalid, "invalid UTF-8 (0xF4) at byte 1");
        row("five-byte form", "\xF8\x88\x80\x80\x80", invalid, "invalid UTF-8 (0xF8) at byte 1");

        // Allowed: names in other scripts, and format characters that are not bidi controls
        row("empty", "", "", "");
        row("ASCII", "alice", "", "");
        row("Zoë", "Zo\xC3\xAB", "", "");
        row("محمد", "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF", "", "");
        row("王芳", "\xE7\x8E\x8B\xE8\x8A\xB3", "", "");
        row("emoji (4 bytes)", "\xF0\x9F\x98\x80", "", "");
        row("U+10FFFF", "\xF4\x8F\xBF\xBF", "", "");
        row("no-break space U+00A0",
            "a\xC2\xA0"
            "b",
            "", "");
        row("U+00A1 just after C1", "\xC2\xA1", "", "");
        row("zero-width joiner U+200D",
            "a\xE2\x80\x8D"
            "b",
            "", "");
        row("U+2027 just before the separators", "\xE2\x80\xA7", "", "");
        row("U+202F just after the overrides", "\xE2\x80\xAF", "", "");
    }

    void forbidden()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, kind);
        QFETCH(QString, described);
        const auto found = findForbiddenText(std::string_view(text.constData(), std::size_t(text.size())));
        if (kind.isEmpty()) {
            QVERIFY2(!found, found ? found->toString().c_str() : "");
            return;
        }
        QVERIFY(found);
        QCOMPARE(qs(found->kindName()), kind);
        QCOMPARE(qs(found->toString()), described);
    }

    void escaped_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QByteArray>("escaped");
        QTest::newRow("plain") << QByteArray("Zo\xC3\xAB") << QByteArray("Zo\xC3\xAB");
        QTest::newRow("C0 and DEL") << QByteArray("a\nb\x7f") << QByteArray("a\\u000ab\\u007f");
        QTest::newRow("C1") << QByteArray("a\xC2\x85") << QByteArray("a\\u0085");
        QTest::newRow("bidi override") << QByteArray("a\xE2\x80\xAE"
                                                     "b")
                                       << QByteArray("a\\u202eb");
        QTest::newRow("line separator") << QByteArray("\xE2\x80\xA8") << QByteArray("\\u2028");
        QTest::newRow("invalid byte") << QByteArray("a\xFF"
                                                    "b")
                                      << QByteArray("a\xEF\xBF\xBD"
                                                    "b");
    }

    void escaped()
    {
        QFETCH(QByteArray, text);
        QFETCH(QByteArray, escaped);
        const std::string out = escapeForbiddenText(std::string_view(text.constData(), std::size_t(text.size())));
        QCOMPARE(QByteArray::fromStdString(out), escaped);
        QVERIFY(!findForbiddenText(out));
    }
};

QTEST_GUILESS_MAIN(TstText)
#include "tst_text.moc"
