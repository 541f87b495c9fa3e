// SPDX-License-Identifier: MIT
#pragma once

// Runs the `prismaquant` binary (PQ_CLI_PATH, set by the test's CMake) and captures its output.

#include <string>

#include <QProcess>
#include <QStringList>

namespace pq::test {

struct CliRun
{
    int exitCode = -1;
    std::string out;
    std::string err;
};

inline CliRun runCli(const QStringList &args, int timeoutMs = 300000)
{
    QProcess p;
    p.start(QStringLiteral(PQ_CLI_PATH), args);
    p.waitForFinished(timeoutMs);
    return {p.exitCode(), p.readAllStandardOutput().toStdString(),
            p.readAllStandardError().toStdString()};
}

}  // namespace pq::test
