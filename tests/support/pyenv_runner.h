// SPDX-License-Identifier: MIT
#pragma once

// Running the reference Python side of interop tests: scripts/pyenv creates (once) a venv in a
// cache outside the checkout with pinned PyPI packages; its exit status 3 means PyPI is not
// reachable, the only reason such a test may skip. Header-only, for tests.

#include <fstream>
#include <string>
#include <vector>

#include <QProcess>
#include <QString>
#include <QStringList>
#include <QtTest>

namespace pq::test {

/** scripts/pyenv's exit status when the packages cannot be installed (PyPI unreachable). */
inline constexpr int PYENV_UNREACHABLE = 3;
/** torch and its CUDA wheels on a fresh machine take minutes. */
inline constexpr int PIP_TIMEOUT_MS = 1500 * 1000;

struct Ran
{
    int exitCode = -1;  ///< -1 when the process crashed or timed out
    QByteArray out;
    QByteArray err;
};

inline Ran runProcess(const QString &program, const QStringList &args, int timeoutMs)
{
    QProcess p;
    p.start(program, args);
    Ran r;
    if (p.waitForFinished(timeoutMs) && p.exitStatus() == QProcess::NormalExit) {
        r.exitCode = p.exitCode();
    }
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

/** A little-endian float32 file a Python reference wrote (numpy's tofile). */
inline std::vector<float> readFloats(const std::string &path)
{
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const auto bytes = static_cast<std::size_t>(in.tellg());
    std::vector<float> v(bytes / sizeof(float));
    in.seekg(0);
    in.read(reinterpret_cast<char *>(v.data()), static_cast<std::streamsize>(bytes));
    return v;
}

/** scripts/pyenv with `requirements`: the venv's python, or an empty string with a reason. */
inline Ran pyenv(const QStringList &requirements)
{
    return runProcess(QStringLiteral(PQ_SOURCE_DIR "/scripts/pyenv"), requirements, PIP_TIMEOUT_MS);
}

}  // namespace pq::test

/** In initTestCase: the venv's python into `python`; skips only when PyPI is unreachable. */
#define PQ_PYENV_OR_SKIP(python, ...)                                                              \
    do {                                                                                           \
        const ::pq::test::Ran env_ = ::pq::test::pyenv({__VA_ARGS__});                             \
        if (env_.exitCode == ::pq::test::PYENV_UNREACHABLE) {                                      \
            QSKIP(qPrintable(QStringLiteral("the Python reference cannot be installed here "       \
                                            "(PyPI unreachable?): ") +                             \
                             QString::fromUtf8(env_.err.right(500))));                             \
        }                                                                                          \
        QVERIFY2(env_.exitCode == 0, env_.err.right(2000).constData());                            \
        (python) = QString::fromUtf8(env_.out).trimmed();                                          \
    } while (false)
