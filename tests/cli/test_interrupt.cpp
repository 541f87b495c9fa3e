// SPDX-License-Identifier: MIT
// app/cli/interrupt.h: Ctrl-C (SIGINT) and SIGTERM cancel the innermost scope's job, an inner
// scope's end hands the signals back to the outer one (how `run` notices a Ctrl-C between its
// stages), and the last scope's end restores the handler that was there before.
#include <csignal>

#include <QtTest>

#include "app/cli/interrupt.h"

using pq::cli::InterruptScope;
using pq::core::JobContext;

namespace {

volatile std::sig_atomic_t g_before = 0;

extern "C" void countSignal(int /*signal*/)
{
    g_before = g_before + 1;
}

}  // namespace

class TestInterrupt : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signalsCancelTheInnermostScope();
};

void TestInterrupt::signalsCancelTheInnermostScope()
{
    struct sigaction mine
    {};

    mine.sa_handler = countSignal;
    sigemptyset(&mine.sa_mask);

    struct sigaction saved
    {};

    ::sigaction(SIGINT, &mine, &saved);
    {
        JobContext outer;
        const InterruptScope outerScope(outer);
        {
            JobContext inner;
            const InterruptScope innerScope(inner);
            QVERIFY(::raise(SIGINT) == 0);
            QVERIFY(inner.isCancelled());
            QVERIFY(!outer.isCancelled());
        }
        // the stage heard Ctrl-C (and may have finished anyway): `run` must stop too
        QVERIFY(outer.isCancelled());
        JobContext next;
        {
            const InterruptScope nextScope(next);
        }
        QVERIFY(!next.isCancelled());
        JobContext between;
        const InterruptScope betweenScope(between);
        QVERIFY(::raise(SIGTERM) == 0);  // the scope in force hears it
        QVERIFY(between.isCancelled());
        QCOMPARE(static_cast<int>(g_before), 0);
    }
    QVERIFY(::raise(SIGINT) == 0);  // the handler from before the scopes is back
    QCOMPARE(static_cast<int>(g_before), 1);
    ::sigaction(SIGINT, &saved, nullptr);
}

QTEST_APPLESS_MAIN(TestInterrupt)
#include "test_interrupt.moc"
