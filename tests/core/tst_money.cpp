// Money: integer minor units, its spelling, the strict parser for amounts typed
// by people, and checked arithmetic (overflow is an error, never a wrap).
#include "coretest.h"
#include "core/finance/money.h"

#include <QTest>
#include <limits>

using sc::Errc;
using sc::Money;
using namespace sctest;

namespace {

Money cents(qint64 minor)
{
    return Money::fromMinorUnits(minor);
}

sc::Result<Money> parse(const QByteArray& text)
{
    return Money::parse(std::string_view(text.constData(), std::size_t(text.size())));
}

} // namespace

class TestMoney : public QObject {
    Q_OBJECT

private slots:
    void defaultIsZero()
    {
        QCOMPARE(Money().minorUnits(), qint64(0));
        QCOMPARE(Money(), cents(0));
        QCOMPARE(Money::max().minorUnits(), std::numeric_limits<qint64>::max());
        QCOMPARE(Money::min().minorUnits(), std::numeric_limits<qint64>::min());
    }

    void spelling_data()
    {
        QTest::addColumn<Money>("money");
        QTest::addColumn<QString>("text");
        QTest::newRow("zero") << cents(0) << "0.00";
        QTest::newRow("one cent") << cents(1) << "0.01";
        QTest::newRow("minus one cent") << cents(-1) << "-0.01";
        QTest::newRow("five cents") << cents(5) << "0.05";
        QTest::newRow("ten cents") << cents(10) << "0.10";
        QTest::newRow("one") << cents(100) << "1.00";
        QTest::newRow("3.05") << cents(305) << "3.05";
        QTest::newRow("-3.05") << cents(-305) << "-3.05";
        QTest::newRow("250") << cents(25000) << "250.00";
        QTest::newRow("10,000 (no grouping)") << cents(1000000) << "10000.00";
        QTest::newRow("largest") << Money::max() << "92233720368547758.07";
        QTest::newRow("smallest") << Money::min() << "-92233720368547758.08";
    }
    void spelling()
    {
        QFETCH(Money, money);
        QFETCH(QString, text);
        QCOMPARE(qs(money.toString()), text);
    }

    void comparison()
    {
        QVERIFY(cents(1) < cents(2));
        QVERIFY(cents(-1) < cents(0));
        QVERIFY(Money::min() < Money::max());
        QVERIFY(cents(2) > cents(1));
        QVERIFY(cents(2) >= cents(2));
        QVERIFY(cents(2) <= cents(2));
        QVERIFY(cents(2) == cents(2));
        QVERIFY(cents(2) != cents(3));
    }

    // -- the parser --

    void parseAccepts_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<Money>("money");
        QTest::addColumn<QString>("canonical");
        QTest::newRow("whole") << QByteArray("100") << cents(10000) << "100.00";
        QTest::newRow("one decimal") << QByteArray("100.5") << cents(10050) << "100.50";
        QTest::newRow("two decimals") << QByteArray("100.50") << cents(10050) << "100.50";
        QTest::newRow("zero") << QByteArray("0") << cents(0) << "0.00";
        QTest::newRow("zero with decimals") << QByteArray("0.00") << cents(0) << "0.00";
        QTest::newRow("one cent") << QByteArray("0.01") << cents(1) << "0.01";
        QTest::newRow("half") << QByteArray("0.5") << cents(50) << "0.50";
        QTest::newRow("five cents") << QByteArray("0.05") << cents(5) << "0.05";
        QTest::newRow("single digit") << QByteArray("7") << cents(700) << "7.00";
        QTest::newRow("ten thousand") << QByteArray("10000.00") << cents(1000000) << "10000.00";
        QTest::newRow("trailing zeros in whole part") << QByteArray("1000") << cents(100000) << "1000.00";
        QTest::newRow("largest whole") << QByteArray("92233720368547758") << cents(9223372036854775800)
                                       << "92233720368547758.00";
        QTest::newRow("largest") << QByteArray("92233720368547758.07") << Money::max() << "92233720368547758.07";
    }
    void parseAccepts()
    {
        QFETCH(QByteArray, text);
        QFETCH(Money, money);
        QFETCH(QString, canonical);
        const auto r = parse(text);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(*r, money);
        QCOMPARE(qs(r->toString()), canonical);
    }

    void parseRefuses_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("detail");
        const QString range = QStringLiteral(": out of range (the largest amount is 92233720368547758.07)");

        QTest::newRow("empty") << QByteArray("") << "\"\": empty amount";
        QTest::newRow("word") << QByteArray("abc") << "\"abc\": not a number";
        QTest::newRow("NaN") << QByteArray("NaN") << "\"NaN\": not a number";
        QTest::newRow("inf") << QByteArray("inf") << "\"inf\": not a number";
        QTest::newRow("exponent") << QByteArray("1e3") << "\"1e3\": exponent notation is not allowed";
        QTest::newRow("exponent, capital") << QByteArray("1E3") << "\"1E3\": exponent notation is not allowed";
        QTest::newRow("three decimals") << QByteArray("0.001") << "\"0.001\": more than two decimal places";
        QTest::newRow("three decimals, zero") << QByteArray("1.000") << "\"1.000\": more than two decimal places";
        QTest::newRow("minus zero") << QByteArray("-0") << "\"-0\": a sign is not allowed (amounts are magnitudes)";
        QTest::newRow("negative") << QByteArray("-5.00") << "\"-5.00\": a sign is not allowed (amounts are magnitudes)";
        QTest::newRow("plus") << QByteArray("+5") << "\"+5\": a sign is not allowed (amounts are magnitudes)";
        QTest::newRow("sign after digits") << QByteArray("5-") << "\"5-\": unexpected character '-' at position 2";
        QTest::newRow("leading space") << QByteArray(" 5") << "\" 5\": whitespace is not allowed";
        QTest::newRow("trailing space") << QByteArray("5 ") << "\"5 \": whitespace is not allowed";
        QTest::newRow("inner space") << QByteArray("1 000") << "\"1 000\": whitespace is not allowed";
        QTest::newRow("tab") << QByteArray("\t5") << "\"\t5\": whitespace is not allowed";
        QTest::newRow("newline") << QByteArray("5\n") << "\"5\n\": whitespace is not allowed";
        QTest::newRow("NUL") << QByteArray(
            "5\0", 2) << QStringLiteral("\"5") + QChar(0) + QStringLiteral("\": control character at position 2");
        QTest::newRow("point without decimals") << QByteArray("1.") << "\"1.\": no digits after '.'";
        QTest::newRow("point without whole") << QByteArray(".5") << "\".5\": no digits before '.'";
        QTest::newRow("point alone") << QByteArray(".") << "\".\": no digits before '.'";
        QTest::newRow("two points") << QByteArray("1.2.3") << "\"1.2.3\": more than one '.'";
        QTest::newRow("grouping") << QByteArray("1,000")
                                  << "\"1,000\": ',' is not allowed (no digit grouping; '.' is the decimal point)";
        QTest::newRow("decimal comma") << QByteArray("1,5")
                                       << "\"1,5\": ',' is not allowed (no digit grouping; '.' is the decimal point)";
        QTest::newRow("hex") << QByteArray("0x10") << "\"0x10\": unexpected character 'x' at position 2";
        QTest::newRow("currency symbol") << QByteArray("$5") << "\"$5\": unexpected character '$' at position 1";
        QTest::newRow("leading zero") << QByteArray("007") << "\"007\": leading zero";
        QTest::newRow("leading zero, one digit") << QByteArray("01") << "\"01\": leading zero";
        QTest::newRow("leading zeros before point") << QByteArray("00.5") << "\"00.5\": leading zero";
        QTest::newRow("one cent past the largest")
            << QByteArray("92233720368547758.08") << "\"92233720368547758.08\"" + range;
        QTest::newRow("one unit past the largest whole")
            << QByteArray("92233720368547759") << "\"92233720368547759\"" + range;
        QTest::newRow("2^63 cents as a whole number")
            << QByteArray("9223372036854775808") << "\"9223372036854775808\"" + range;
        QTest::newRow("long digit string")
            << QByteArray("100000000000000000000.00") << "\"100000000000000000000.00\"" + range;
        QTest::newRow("very long digit string (quoted short)")
            << QByteArray(200, '9') << "\"" + QString(40, '9') + "...\"" + range;
        // Arabic-Indic digits one, zero, zero: U+0661 U+0660 U+0660.
        QTest::newRow("Arabic-Indic digits")
            << QByteArray("\xD9\xA1\xD9\xA0\xD9\xA0")
            << QString::fromUtf8("\"\xD9\xA1\xD9\xA0\xD9\xA0\": non-ASCII character (only the digits 0-9 and '.' are "
                                 "allowed)");
        // Fullwidth digits one, zero, zero: U+FF11 U+FF10 U+FF10.
        QTest::newRow("fullwidth digits")
            << QByteArray("\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x90")
            << QString::fromUtf8("\"\xEF\xBC\x91\xEF\xBC\x90\xEF\xBC\x90\": non-ASCII character (only the digits "
                                 "0-9 and '.' are allowed)");
        QTest::newRow("non-ASCII after ASCII digits")
            << QByteArray("5\xE2\x82\xAC") // "5€"
            << QString::fromUtf8("\"5\xE2\x82\xAC\": non-ASCII character (only the digits 0-9 and '.' are allowed)");
    }
    void parseRefuses()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, detail);
        const auto r = parse(text);
        QVERIFY2(!r.ok(), r.ok() ? r->toString().c_str() : "");
        QCOMPARE(r.error().code, Errc::InvalidAmount);
        QCOMPARE(QString::fromUtf8(r.error().detail.data(), qsizetype(r.error().detail.size())), detail);
    }

    void roundTrip_data()
    {
        QTest::addColumn<Money>("money");
        QTest::newRow("zero") << cents(0);
        QTest::newRow("one cent") << cents(1);
        QTest::newRow("ten cents") << cents(10);
        QTest::newRow("3.05") << cents(305);
        QTest::newRow("250.00") << cents(25000);
        QTest::newRow("100.01") << cents(10001);
        QTest::newRow("largest") << Money::max();
        QTest::newRow("largest minus one cent") << cents(std::numeric_limits<qint64>::max() - 1);
    }
    void roundTrip()
    {
        QFETCH(Money, money);
        const auto r = Money::parse(money.toString());
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(*r, money);
    }

    void negativesDoNotRoundTrip()
    {
        // Documented: parse() takes magnitudes only, so a negative spelling is refused.
        for (const Money m : {cents(-1), cents(-305), Money::min()}) {
            const auto r = Money::parse(m.toString());
            QVERIFY(!r.ok());
            QCOMPARE(r.error().code, Errc::InvalidAmount);
        }
    }

    // -- parseSigned: the zakat's wealth --

    void parseSignedAccepts_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<Money>("money");
        QTest::newRow("seed: -1000") << QByteArray("-1000") << cents(-100000);
        QTest::newRow("minus one cent") << QByteArray("-0.01") << cents(-1);
        QTest::newRow("one decimal") << QByteArray("-100.5") << cents(-10050);
        QTest::newRow("minus zero is zero") << QByteArray("-0") << cents(0);
        QTest::newRow("minus zero, decimals") << QByteArray("-0.00") << cents(0);
        QTest::newRow("no sign") << QByteArray("10000") << cents(1000000);
        QTest::newRow("smallest") << QByteArray("-92233720368547758.08") << Money::min();
        QTest::newRow("largest") << QByteArray("92233720368547758.07") << Money::max();
    }
    void parseSignedAccepts()
    {
        QFETCH(QByteArray, text);
        QFETCH(Money, money);
        const auto r = Money::parseSigned(std::string_view(text.constData(), std::size_t(text.size())));
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(*r, money);
    }

    void parseSignedRefuses_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("detail");
        QTest::newRow("plus") << QByteArray("+5") << "\"+5\": '+' is not allowed (only a negative amount has a sign, '-')";
        QTest::newRow("minus alone") << QByteArray("-") << "\"-\": no digits after '-'";
        QTest::newRow("two minuses") << QByteArray("--5") << "\"--5\": unexpected character '-' at position 2";
        QTest::newRow("space after minus") << QByteArray("- 5") << "\"- 5\": whitespace is not allowed";
        QTest::newRow("minus point") << QByteArray("-.5") << "\"-.5\": no digits before '.'";
        QTest::newRow("minus word") << QByteArray("-abc") << "\"-abc\": not a number";
        QTest::newRow("leading zero") << QByteArray("-007") << "\"-007\": leading zero";
        QTest::newRow("three decimals") << QByteArray("-1.001") << "\"-1.001\": more than two decimal places";
        QTest::newRow("one cent past the smallest")
            << QByteArray("-92233720368547758.09")
            << "\"-92233720368547758.09\": out of range (the smallest amount is -92233720368547758.08)";
        QTest::newRow("one cent past the largest")
            << QByteArray("92233720368547758.08")
            << "\"92233720368547758.08\": out of range (the largest amount is 92233720368547758.07)";
        QTest::newRow("empty") << QByteArray("") << "\"\": empty amount";
    }
    void parseSignedRefuses()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, detail);
        const auto r = Money::parseSigned(std::string_view(text.constData(), std::size_t(text.size())));
        QVERIFY2(!r.ok(), r.ok() ? r->toString().c_str() : "");
        QCOMPARE(r.error().code, Errc::InvalidAmount);
        QCOMPARE(qs(r.error().detail), detail);
    }

    void parseSignedRoundTripsEveryMoney()
    {
        for (const Money m : {cents(0), cents(-1), cents(-305), cents(305), Money::min(), Money::max(),
                 cents(std::numeric_limits<qint64>::min() + 1)}) {
            const auto r = Money::parseSigned(m.toString());
            QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
            QCOMPARE(*r, m);
        }
    }

    // -- checked arithmetic --

    void arithmetic_data()
    {
        QTest::addColumn<Money>("a");
        QTest::addColumn<QChar>("op");
        QTest::addColumn<Money>("b");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected"); // the result, or the error detail
        const Money max = Money::max();
        const Money min = Money::min();
        QTest::newRow("1 + 2") << cents(100) << QChar('+') << cents(200) << true << "3.00";
        QTest::newRow("0.99 + 0.01") << cents(99) << QChar('+') << cents(1) << true << "1.00";
        QTest::newRow("negative + positive") << cents(-305) << QChar('+') << cents(5) << true << "-3.00";
        QTest::newRow("max + 0") << max << QChar('+') << cents(0) << true << "92233720368547758.07";
        QTest::newRow("max + min") << max << QChar('+') << min << true << "-0.01";
        QTest::newRow("min + 0") << min << QChar('+') << cents(0) << true << "-92233720368547758.08";
        QTest::newRow("max + 0.01 overflows")
            << max << QChar('+') << cents(1) << false << "overflow: 92233720368547758.07 + 0.01 is out of range";
        QTest::newRow("max + max overflows") << max << QChar('+') << max << false
                                             << "overflow: 92233720368547758.07 + 92233720368547758.07 is out of range";
        QTest::newRow("min + -0.01 overflows")
            << min << QChar('+') << cents(-1) << false << "overflow: -92233720368547758.08 + -0.01 is out of range";
        QTest::newRow("3 - 1") << cents(300) << QChar('-') << cents(100) << true << "2.00";
        QTest::newRow("1 - 3") << cents(100) << QChar('-') << cents(300) << true << "-2.00";
        QTest::newRow("max - max") << max << QChar('-') << max << true << "0.00";
        QTest::newRow("min - min") << min << QChar('-') << min << true << "0.00";
        QTest::newRow("0 - max") << cents(0) << QChar('-') << max << true << "-92233720368547758.07";
        QTest::newRow("min - 0.01 overflows")
            << min << QChar('-') << cents(1) << false << "overflow: -92233720368547758.08 - 0.01 is out of range";
        QTest::newRow("0 - min overflows")
            << cents(0) << QChar('-') << min << false << "overflow: 0.00 - -92233720368547758.08 is out of range";
        QTest::newRow("max - -0.01 overflows")
            << max << QChar('-') << cents(-1) << false << "overflow: 92233720368547758.07 - -0.01 is out of range";
    }
    void arithmetic()
    {
        QFETCH(Money, a);
        QFETCH(QChar, op);
        QFETCH(Money, b);
        QFETCH(bool, ok);
        QFETCH(QString, expected);
        const auto r = op == QLatin1Char('+') ? a.plus(b) : a.minus(b);
        QCOMPARE(r.ok(), ok);
        if (ok) {
            QCOMPARE(qs(r->toString()), expected);
        } else {
            QCOMPARE(r.error().code, Errc::InvalidAmount);
            QCOMPARE(qs(r.error().detail), expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestMoney)
#include "tst_money.moc"
