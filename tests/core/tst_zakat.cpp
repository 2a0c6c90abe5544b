// Zakat: 2.5% of the wealth rounded up to the next minor unit, nothing below
// the nisab, invalid_wealth for negative wealth. Seeds from the Elixir guide:
// zakat of 10,000 is 250, negative wealth is invalid_wealth.
#include "coretest.h"
#include "core/finance/money.h"
#include "core/finance/zakat.h"

#include <QTest>
#include <limits>

using sc::Errc;
using sc::Money;
using sc::zakatDue;
using namespace sctest;

namespace {

__extension__ typedef __int128 Wide; // GCC/Clang 128-bit integer, for the reference only

/// A literal amount; the parser has its own tests (tst_money).
Money amount(const char* text)
{
    const auto r = Money::parse(text);
    if (!r.ok()) qFatal("bad amount in the test table: %s", r.error().toString().c_str());
    return *r;
}

/// ceil(wealth * 25 / 1000), literally, in 128-bit arithmetic: the reference
/// the implementation's quotient-and-remainder form is checked against.
Money reference(Money wealth)
{
    const Wide scaled = static_cast<Wide>(wealth.minorUnits()) * 25;
    return Money::fromMinorUnits(static_cast<std::int64_t>((scaled + 999) / 1000));
}

} // namespace

class TestZakat : public QObject {
    Q_OBJECT

private slots:
    void due_data()
    {
        QTest::addColumn<Money>("wealth");
        QTest::addColumn<Money>("nisab");
        QTest::addColumn<Money>("zakat");
        const Money none;
        // Seeds.
        QTest::newRow("10,000 gives 250") << amount("10000.00") << none << amount("250.00");
        QTest::newRow("10,000 above a nisab of 5,000") << amount("10000.00") << amount("5000.00") << amount("250.00");
        QTest::newRow("below the nisab gives 0") << amount("4999.99") << amount("5000.00") << amount("0");
        QTest::newRow("far below the nisab") << amount("100") << amount("5000.00") << amount("0");
        QTest::newRow("at the nisab, zakat is due") << amount("5000.00") << amount("5000.00") << amount("125.00");
        QTest::newRow("zero wealth") << amount("0") << none << amount("0");
        QTest::newRow("zero wealth, nisab set") << amount("0") << amount("5000.00") << amount("0");
        // Exact fortieths need no rounding.
        QTest::newRow("100.00 gives 2.50") << amount("100.00") << none << amount("2.50");
        QTest::newRow("0.40 gives 0.01") << amount("0.40") << none << amount("0.01");
        QTest::newRow("100.40 gives 2.51") << amount("100.40") << none << amount("2.51");
        // Rounded up to the next cent.
        QTest::newRow("100.01 gives 2.51 (2.50025)") << amount("100.01") << none << amount("2.51");
        QTest::newRow("100.39 gives 2.51 (2.50975)") << amount("100.39") << none << amount("2.51");
        QTest::newRow("100.41 gives 2.52 (2.51025)") << amount("100.41") << none << amount("2.52");
        QTest::newRow("1.00 gives 0.03 (0.025)") << amount("1.00") << none << amount("0.03");
        QTest::newRow("0.01 gives 0.01 (0.00025)") << amount("0.01") << none << amount("0.01");
        QTest::newRow("0.39 gives 0.01 (0.00975)") << amount("0.39") << none << amount("0.01");
        QTest::newRow("0.41 gives 0.02 (0.01025)") << amount("0.41") << none << amount("0.02");
        // The extremes.
        QTest::newRow("largest Money") << Money::max() << none << amount("2305843009213693.96");
        QTest::newRow("largest Money, largest nisab") << Money::max() << Money::max() << amount("2305843009213693.96");
        QTest::newRow("just below the largest nisab") << amount("92233720368547758.06") << Money::max() << amount("0");
    }
    void due()
    {
        QFETCH(Money, wealth);
        QFETCH(Money, nisab);
        QFETCH(Money, zakat);
        const auto r = zakatDue(wealth, nisab);
        QVERIFY2(r.ok(), r.ok() ? "" : r.error().toString().c_str());
        QCOMPARE(*r, zakat);
    }

    void defaultNisabIsZero()
    {
        QCOMPARE(zakatDue(amount("10000.00")).value(), amount("250.00"));
        QCOMPARE(zakatDue(amount("0.01")).value(), amount("0.01"));
    }

    void matchesTheLiteralFormula_data()
    {
        QTest::addColumn<Money>("wealth");
        constexpr qint64 max = std::numeric_limits<qint64>::max();
        for (qint64 minor = 0; minor <= 200; ++minor)
            QTest::addRow("%lld", minor) << Money::fromMinorUnits(minor);
        for (qint64 minor = max - 80; minor < max; ++minor)
            QTest::addRow("max-%lld", max - minor) << Money::fromMinorUnits(minor);
        QTest::newRow("max") << Money::max();
    }
    void matchesTheLiteralFormula()
    {
        QFETCH(Money, wealth);
        const auto r = zakatDue(wealth);
        QVERIFY(r.ok());
        QCOMPARE(*r, reference(wealth));
        // Rounded up, never down: the zakat paid is at least 2.5% of the wealth.
        QVERIFY(static_cast<Wide>(r->minorUnits()) * 1000 >= static_cast<Wide>(wealth.minorUnits()) * 25);
    }

    void refused_data()
    {
        QTest::addColumn<Money>("wealth");
        QTest::addColumn<Money>("nisab");
        QTest::addColumn<Errc>("code");
        QTest::addColumn<QString>("detail");
        QTest::newRow("seed: negative wealth")
            << Money::fromMinorUnits(-100000) << Money() << Errc::InvalidWealth << "-1000.00 is negative";
        QTest::newRow("minus one cent")
            << Money::fromMinorUnits(-1) << Money() << Errc::InvalidWealth << "-0.01 is negative";
        QTest::newRow("below a nisab too")
            << Money::fromMinorUnits(-1) << amount("5000.00") << Errc::InvalidWealth << "-0.01 is negative";
        QTest::newRow("smallest Money")
            << Money::min() << Money() << Errc::InvalidWealth << "-92233720368547758.08 is negative";
        QTest::newRow("negative nisab")
            << amount("100") << Money::fromMinorUnits(-1) << Errc::InvalidAmount << "nisab -0.01 is negative";
    }
    /// The guide's test, with the wealth as typed: "-1000" is a wealth (signed)
    /// that zakatDue refuses as invalid_wealth, not an amount the parser refuses.
    void guideRejectsNegativeWealthAsTyped_data()
    {
        QTest::addColumn<QByteArray>("typed");
        QTest::addColumn<QString>("answer"); // the zakat, or the error's name and detail
        QTest::newRow("seed: 10000") << QByteArray("10000") << "250.00";
        QTest::newRow("seed: -1000") << QByteArray("-1000") << "invalid_wealth: -1000.00 is negative";
        QTest::newRow("-0.01") << QByteArray("-0.01") << "invalid_wealth: -0.01 is negative";
        QTest::newRow("smallest") << QByteArray("-92233720368547758.08")
                                  << "invalid_wealth: -92233720368547758.08 is negative";
        QTest::newRow("-0 is zero") << QByteArray("-0") << "0.00";
    }
    void guideRejectsNegativeWealthAsTyped()
    {
        QFETCH(QByteArray, typed);
        QFETCH(QString, answer);
        const auto wealth = Money::parseSigned(std::string_view(typed.constData(), std::size_t(typed.size())));
        QVERIFY2(wealth.ok(), wealth.ok() ? "" : wealth.error().toString().c_str());
        const auto r = zakatDue(*wealth);
        QCOMPARE(r.ok() ? qs(r->toString()) : qs(std::string(sc::errcName(r.error().code)) + ": " + r.error().detail),
            answer);
    }

    void refused()
    {
        QFETCH(Money, wealth);
        QFETCH(Money, nisab);
        QFETCH(Errc, code);
        QFETCH(QString, detail);
        const auto r = zakatDue(wealth, nisab);
        QVERIFY2(!r.ok(), r.ok() ? r->toString().c_str() : "");
        QCOMPARE(r.error().code, code);
        QCOMPARE(qs(r.error().detail), detail);
    }
};

QTEST_GUILESS_MAIN(TestZakat)
#include "tst_zakat.moc"
