// The CSV exports (interstage/export_csv.h): RFC 4180 quoting, one row per
// plan tensor, node, event and sample with the columns the header names,
// and `run|compare --csv DIR` writing them (a folder that cannot be
// written is a clear error).
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "cli_process.h"
#include "interstage/export_csv.h"
#include "test_support.h"

using namespace interstage;
using testsupport::runCli;

namespace {

// RFC 4180 read back: records of fields (quoted fields may hold commas,
// doubled quotes and line breaks); every record ends with CRLF.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
    std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"')
                rows.back().back() += '"', ++i;
            else if (c == '"')
                quoted = false;
            else
                rows.back().back() += c;
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            rows.back().emplace_back();
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            rows.emplace_back(1);
            ++i;
        } else {
            rows.back().back() += c;
        }
    }
    rows.pop_back();  // after the last CRLF
    return rows;
}

SavedSession sessionWithAwkwardNames() {
    SavedSession s;
    SavedRunSet set;
    set.setId = 3;
    set.label = "reduce, \"fast\"";
    set.memoryMap = {{"a,b", 0, 1, 100, 0, 0, false, 0, -1, -1, 0, true},
                     {"line\nbreak", 1, 1, 64, 0, 0, true, 0, -1, -1, 0, false}};
    set.planTensors = {{1, "in-place", "line\nbreak"}, {1, "kept", ""}};
    set.executedNodeNames = {"n0", "n,1"};
    set.executedValueNames = {"a,b", "line\nbreak"};
    RunStats run;
    run.run = 1;
    run.nodes = {{"n0", "Relu", 0.25, 0.5, false}, {"n,1", "Sigmoid", 0.125, 1.0, false}};
    run.events = {{1500000, 100, MemoryDevice::Host, MemoryCategory::Interstage, 0, 0, 1, -1, -1},
                  {2500000, -100, MemoryDevice::Host, MemoryCategory::Interstage, 0, 1, 1, -1, -1}};
    run.rss = {{1000000, 4096, 1}, {2000000, 8192, 1}, {3000000, 4096, 1}};
    set.runs = {run};
    s.runSets = {set};
    return s;
}

}  // namespace

class TestExportCsv : public QObject {
    Q_OBJECT
private slots:
    void fieldsAreQuotedOnlyWhenTheyMustBe() {
        QCOMPARE(csvField("plain"), std::string("plain"));
        QCOMPARE(csvField("a,b"), std::string("\"a,b\""));
        QCOMPARE(csvField("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
        QCOMPARE(csvField("two\nlines"), std::string("\"two\nlines\""));
        QCOMPARE(csvField(""), std::string());
    }

    void tablesReadBackRowForRow() {
        const SavedSession s = sessionWithAwkwardNames();
        const auto plan = parseCsv(planCsv(s));
        QCOMPARE(plan.size(), std::size_t(3));
        for (const auto& row : plan) QCOMPARE(row.size(), std::size_t(12));
        QCOMPARE(plan[1][0], std::string("3"));
        QCOMPARE(plan[1][1], std::string("a,b"));
        QCOMPARE(plan[1][3], std::string("float32"));
        QCOMPARE(plan[1][8], std::string("in-place"));
        QCOMPARE(plan[1][9], std::string("line\nbreak"));
        QCOMPARE(plan[2][10], std::string("1"));  // kept

        const auto nodes = parseCsv(nodeTimesCsv(s));
        QCOMPARE(nodes.size(), std::size_t(3));
        QCOMPARE(nodes[2], (std::vector<std::string>{"3", "1", "1", "n,1", "Sigmoid", "1", "0.125"}));

        const auto events = parseCsv(memoryEventsCsv(s));
        QCOMPARE(events.size(), std::size_t(3));
        QCOMPARE(events[1], (std::vector<std::string>{"3", "1", "1.5", "100", "interstage", "a,b", "n0"}));
        QCOMPARE(events[2][3], std::string("-100"));
        QCOMPARE(events[2][6], std::string("n,1"));

        const auto rss = parseCsv(rssCsv(s));
        QCOMPARE(rss.size(), std::size_t(4));
        QCOMPARE(rss[3], (std::vector<std::string>{"3", "1", "3", "4096"}));

        const auto sets = parseCsv(setsCsv(s));
        QCOMPARE(sets.size(), std::size_t(2));
        QCOMPARE(sets[1][1], std::string("reduce, \"fast\""));
    }

    void withoutRolesThePlanLeavesThemEmpty() {
        SavedSession s = sessionWithAwkwardNames();
        s.runSets[0].planTensors.clear();
        const auto plan = parseCsv(planCsv(s));
        QCOMPARE(plan[1][8], std::string());
        QCOMPARE(plan[1][3], std::string());
    }

    void cliWritesEveryTable() {
        QTemporaryDir dir;
        const QString model =
            QString::fromStdString(testsupport::writeFile(dir, "tiny.onnx", testsupport::tinyChain().serialize()));
        const QString out = dir.filePath("tables/nested");
        auto r = runCli({"run", model, "--runs", "3", "--threads", "1", "--mode", "reduce", "--csv", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        for (const char* name : kCsvFiles) QVERIFY2(QFile::exists(out + "/" + name), name);
        QFile nodes(out + "/node_times.csv");
        QVERIFY(nodes.open(QIODevice::ReadOnly));
        const auto rows = parseCsv(nodes.readAll().toStdString());
        // A header, then 3 runs of the chain's 2 nodes.
        QCOMPARE(rows.size(), std::size_t(1 + 3 * 2));
        QCOMPARE(rows[1][4], std::string("Relu"));
        QFile plan(out + "/plan.csv");
        QVERIFY(plan.open(QIODevice::ReadOnly));
        const auto planRows = parseCsv(plan.readAll().toStdString());
        QVERIFY(planRows.size() >= 2);
        for (std::size_t i = 1; i < planRows.size(); ++i) QVERIFY(!planRows[i][8].empty());  // every role known

        // compare: one set per mode in the same tables.
        const QString compared = dir.filePath("compared");
        r = runCli({"compare", model, "--runs", "1", "--threads", "1", "--csv", compared});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile sets(compared + "/sets.csv");
        QVERIFY(sets.open(QIODevice::ReadOnly));
        QVERIFY(parseCsv(sets.readAll().toStdString()).size() >= 6);  // header + the 5 presets (+ arena)
    }

    void unwritableFolderIsAClearError() {
        QTemporaryDir dir;
        const QString model =
            QString::fromStdString(testsupport::writeFile(dir, "tiny.onnx", testsupport::tinyChain().serialize()));
        const QString file = QString::fromStdString(testsupport::writeFile(dir, "afile", "x"));
        auto r = runCli({"run", model, "--csv", file + "/sub"});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("CSV folder") && r.err.contains("afile/sub"), qPrintable(r.err));
        r = runCli({"run", model, "--csv", file});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("CSV folder") && r.err.contains("afile") && r.err.count('\n') == 1, qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestExportCsv)
#include "test_export_csv.moc"
