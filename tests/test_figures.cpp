// The page figures (report/figure.h) drawn from a fixed document
// (tests/data/figures/u2netp64_sets.interstage: the zoo's U^2-Net-P at
// 1x3x64x64, `compare --runs 3 --threads 1 --max-memory 16M`, kept to the
// default (refused: no runs), reduce, reuse and arena sets, node times
// rounded to microseconds): golden images, the layout rules the issue asks
// for, every export format, and the errors.
//
// Goldens: tests/goldens/figure_<kind>.png, Custom 900x560, Light. A pixel
// differs when a channel differs by more than 40; a figure fails when more
// than 0.5 % of its pixels differ, and the actual image and a diff image
// are written to <build>/bin/figure_failures/. After a change meant to
// move pixels, rewrite the goldens and look at them:
//     INTERSTAGE_UPDATE_GOLDENS=1 build/bin/test_figures
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <cmath>

#include "interstage/format.h"
#include "report/figure.h"
#include "report/figure_layout.h"

using report::ChartKind;
using report::FigureOptions;
using report::Style;
using report::Target;

Q_DECLARE_METATYPE(report::ChartKind)
Q_DECLARE_METATYPE(report::Style)
Q_DECLARE_METATYPE(report::Target)

namespace {

constexpr int kChannelTolerance = 40;
constexpr double kMaxDifferingFraction = 0.005;

QString sourcePath(const QString& relative) { return QStringLiteral(INTERSTAGE_SOURCE_DIR "/") + relative; }

const interstage::SavedSession& fixture() {
    static const interstage::SavedSession session = [] {
        auto read =
            interstage::readSessionFile(sourcePath("tests/data/figures/u2netp64_sets.interstage").toStdString());
        if (!read.ok()) qFatal("fixture: %s", read.status().message().c_str());
        return read.value();
    }();
    return session;
}

QString kindName(ChartKind kind) {
    switch (kind) {
        case ChartKind::Timeline:
            return QStringLiteral("timeline");
        case ChartKind::MemoryMap:
            return QStringLiteral("map");
        case ChartKind::Timings:
            return QStringLiteral("timings");
    }
    return {};
}

FigureOptions options(ChartKind kind, Style style = Style::Light, Target target = Target::Custom) {
    FigureOptions o;
    o.kind = kind;
    o.style = style;
    o.target = target;
    o.size = QSizeF(900, 560);
    return o;
}

report::FigureLayout layoutOf(const FigureOptions& o) {
    QImage image(report::figurePixelSize(o).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    return report::drawFigureWithLayout(painter, QRectF(QPointF(0, 0), report::figurePixelSize(o)), fixture(), o);
}

// Pixels whose largest channel difference passes the tolerance; `diff`
// shows them red on a faded copy of the expected image.
int differingPixels(const QImage& actual, const QImage& expected, QImage* diff) {
    *diff = expected.convertToFormat(QImage::Format_RGB32);
    int count = 0;
    for (int y = 0; y < expected.height(); ++y) {
        for (int x = 0; x < expected.width(); ++x) {
            const QRgb a = actual.pixel(x, y), e = expected.pixel(x, y);
            const int d =
                std::max({std::abs(qRed(a) - qRed(e)), std::abs(qGreen(a) - qGreen(e)), std::abs(qBlue(a) - qBlue(e))});
            const bool differs = d > kChannelTolerance;
            count += differs ? 1 : 0;
            diff->setPixel(
                x, y, differs ? qRgb(255, 0, 0) : qRgb(200 + qGray(e) / 5, 200 + qGray(e) / 5, 200 + qGray(e) / 5));
        }
    }
    return count;
}

}  // namespace

class TestFigures : public QObject {
    Q_OBJECT

private slots:
    void goldenImages_data();
    void goldenImages();
    void legendClearOfData_data();
    void legendClearOfData();
    void titleNamesModelConfigurationAndRun();
    void everyReferenceLineNamed();
    void namesDoNotCoverEachOther();
    void mapMarksTensorsInsideTheirHost();
    void svgCarriesTitle();
    void columnPngIs85mmAt300Dpi();
    void pdfPageIsTheFigure();
    void badInputsAreClearErrors();
    void sparseDocumentsStillDraw();
    void renderToolExitCodes();
};

void TestFigures::goldenImages_data() {
    QTest::addColumn<ChartKind>("kind");
    for (ChartKind kind : {ChartKind::Timeline, ChartKind::MemoryMap, ChartKind::Timings})
        QTest::newRow(qPrintable(kindName(kind))) << kind;
}

void TestFigures::goldenImages() {
    QFETCH(ChartKind, kind);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("actual.png"));
    QString error;
    QVERIFY2(report::saveFigure(path, fixture(), options(kind), &error), qPrintable(error));
    const QImage actual = QImage(path).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(actual.size(), QSize(900, 560));
    const QString golden = sourcePath(QStringLiteral("tests/goldens/figure_%1.png").arg(kindName(kind)));
    if (qEnvironmentVariableIntValue("INTERSTAGE_UPDATE_GOLDENS") == 1) {
        QVERIFY(QFile::remove(golden) || !QFile::exists(golden));
        QVERIFY(QFile::copy(path, golden));
        qInfo("rewrote %s", qPrintable(golden));
        return;
    }
    const QImage expected = QImage(golden).convertToFormat(QImage::Format_RGB32);
    QVERIFY2(!expected.isNull(), qPrintable(golden + " is missing (INTERSTAGE_UPDATE_GOLDENS=1 writes it)"));
    QCOMPARE(actual.size(), expected.size());
    QImage diff;
    const int differing = differingPixels(actual, expected, &diff);
    const double fraction = double(differing) / (actual.width() * actual.height());
    if (fraction > kMaxDifferingFraction) {
        const QString out = QCoreApplication::applicationDirPath() + QStringLiteral("/figure_failures");
        QDir().mkpath(out);
        actual.save(out + QStringLiteral("/%1_actual.png").arg(kindName(kind)));
        diff.save(out + QStringLiteral("/%1_diff.png").arg(kindName(kind)));
        QFAIL(qPrintable(QStringLiteral("%1 % of the pixels differ from %2 (at most %3 % may); actual and diff in %4")
                             .arg(fraction * 100, 0, 'f', 2)
                             .arg(golden)
                             .arg(kMaxDifferingFraction * 100)
                             .arg(out)));
    }
}

void TestFigures::legendClearOfData_data() {
    QTest::addColumn<ChartKind>("kind");
    QTest::addColumn<Style>("style");
    QTest::addColumn<Target>("target");
    for (ChartKind kind : {ChartKind::Timeline, ChartKind::MemoryMap, ChartKind::Timings})
        for (Target target : {Target::Slide, Target::Column, Target::Custom})
            for (Style style : {Style::Light, Style::Print})
                QTest::addRow("%s/%d/%s", qPrintable(kindName(kind)), int(target),
                              style == Style::Light ? "light" : "print")
                    << kind << style << target;
}

void TestFigures::legendClearOfData() {
    QFETCH(ChartKind, kind);
    QFETCH(Style, style);
    QFETCH(Target, target);
    const report::FigureLayout layout = layoutOf(options(kind, style, target));
    QVERIFY2(layout.error.isEmpty(), qPrintable(layout.error));
    QVERIFY(!layout.legendRect.isEmpty());
    QVERIFY(!layout.axisRect.isEmpty());
    QVERIFY2(!layout.legendRect.intersects(layout.axisRect), "the legend covers the data");
    // Inside the figure, above the data.
    QVERIFY(QRectF(QPointF(0, 0), layout.logicalSize).contains(layout.legendRect));
    QVERIFY(layout.legendRect.bottom() <= layout.axisRect.top());
    QVERIFY(layout.legendColumns >= 1);
}

void TestFigures::titleNamesModelConfigurationAndRun() {
    const interstage::SavedRunSet& arena = fixture().runSets.back();
    const QString label = QString::fromStdString(interstage::runSetLabel(arena.options));
    QVERIFY(label.startsWith(QStringLiteral("arena (T,T,arena)")));
    for (ChartKind kind : {ChartKind::Timeline, ChartKind::MemoryMap}) {
        const report::FigureLayout layout = layoutOf(options(kind));
        QVERIFY2(layout.title.contains(QStringLiteral("u2netp.onnx")), qPrintable(layout.title));
        QVERIFY2(layout.subtitle.contains(label), qPrintable(layout.subtitle));
        QVERIFY(layout.subtitle.contains(QStringLiteral("cpu")));
        QVERIFY(layout.footnote.startsWith(QStringLiteral("Interstage 0.1.0 · 2026-")));
    }
    QVERIFY(layoutOf(options(ChartKind::Timeline)).subtitle.contains(QStringLiteral("run 3 of 3")));
    FigureOptions second = options(ChartKind::Timeline);
    second.set = 1;
    second.run = 2;
    const report::FigureLayout reduce = layoutOf(second);
    QVERIFY2(reduce.subtitle.contains(QStringLiteral("reduce (T,T,T,F) · 1 thread · cpu · run 2 of 3")),
             qPrintable(reduce.subtitle));
    QVERIFY2(reduce.footnote.contains(QStringLiteral("input input 1x3x64x64")), qPrintable(reduce.footnote));
    QVERIFY(reduce.footnote.contains(QStringLiteral("run 2 of 3")));
    // The timings name every set in the legend and the refused one in the subtitle.
    QVERIFY(layoutOf(options(ChartKind::Timings)).subtitle.contains(QStringLiteral("default (T,T,F,F): no runs")));
    QCOMPARE(report::footnoteFor(fixture(), 1),
             QStringLiteral("Interstage 0.1.0 · %1 · reduce (T,T,T,F), 1 thread, cpu, input input 1x3x64x64, "
                            "budget 16.0 MiB, run 3 of 3")
                 .arg(QString::fromStdString(fixture().savedAt.substr(0, 10))));
}

void TestFigures::everyReferenceLineNamed() {
    const report::FigureLayout timeline = layoutOf(options(ChartKind::Timeline));
    QCOMPARE(timeline.referenceLines, int(timeline.referenceLabels.size()));
    for (const QString& label : timeline.referenceLabels) QVERIFY(!label.trimmed().isEmpty());
    const QString all = timeline.referenceLabels.join('|');
    // The fixture's bounds (4.0 MiB as written, 3.0 MiB in place), budget and peak.
    QVERIFY2(all.contains(QStringLiteral("lower bound as written: held + 4.0 MiB")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("lower bound with in-place writes: held + 3.0 MiB")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("held from the start: 6.9 MiB of weights and inputs")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("memory budget 16.0 MiB")), qPrintable(all));
    QVERIFY2(all.contains(QStringLiteral("peak 10.4 MiB at 0.000 ms")), qPrintable(all));
    QCOMPARE(timeline.referenceLines, 5);
    // Earlier sets drawn as named lines; the refused one has no line.
    QVERIFY(timeline.legendNames.contains(QStringLiteral("reduce (T,T,T,F): total tracked")));
    QVERIFY(timeline.legendNames.contains(QStringLiteral("reuse (T,T,F,T): total tracked")));
    QVERIFY(timeline.legendNames.contains(QStringLiteral("resident memory (RSS)")));
    QCOMPARE(timeline.legendNames.filter(QStringLiteral("default")).size(), 0);
    FigureOptions alone = options(ChartKind::Timeline);
    alone.overlays = false;
    QCOMPARE(layoutOf(alone).legendNames.filter(QStringLiteral("total tracked")).size(), 0);

    const report::FigureLayout map = layoutOf(options(ChartKind::MemoryMap));
    QCOMPARE(map.referenceLines, 1);
    QCOMPARE(map.referenceLabels.size(), 1);
    QVERIFY2(map.referenceLabels.front().startsWith(QStringLiteral("peak step ")),
             qPrintable(map.referenceLabels.front()));
    // "peak step 213: 3.5 MiB live (stage1d/rebnconvin/conv_s1)": the fixture's arena plan.
    QVERIFY2(map.referenceLabels.front().startsWith(QStringLiteral("peak step 213: 3.5 MiB live (")),
             qPrintable(map.referenceLabels.front()));
}

void TestFigures::namesDoNotCoverEachOther() {
    for (Target target : {Target::Slide, Target::Custom, Target::Column}) {
        for (int set : {1, 2, 3}) {
            FigureOptions o = options(ChartKind::Timeline, Style::Light, target);
            o.set = set;
            const report::FigureLayout layout = layoutOf(o);
            for (std::size_t i = 0; i < layout.labelRects.size(); ++i) {
                QVERIFY2(layout.axisRect.adjusted(-1, -1, 1, 1).contains(layout.labelRects[i]),
                         qPrintable(QStringLiteral("target %1 set %2: '%3' leaves the data panel")
                                        .arg(int(target))
                                        .arg(set)
                                        .arg(layout.referenceLabels[int(i)])));
                for (std::size_t j = i + 1; j < layout.labelRects.size(); ++j)
                    QVERIFY2(!layout.labelRects[i].intersects(layout.labelRects[j]),
                             qPrintable(QStringLiteral("target %1 set %2: '%3' overlaps '%4'")
                                            .arg(int(target))
                                            .arg(set)
                                            .arg(layout.referenceLabels[int(i)], layout.referenceLabels[int(j)])));
            }
        }
    }
}

void TestFigures::mapMarksTensorsInsideTheirHost() {
    // The fixture predates the plan facts: without them no tensor is marked.
    const report::FigureLayout before = layoutOf(options(ChartKind::MemoryMap));
    QVERIFY2(before.legendNames.contains(QStringLiteral("kernel workspace")), qPrintable(before.legendNames.join('|')));
    QVERIFY(!before.legendNames.contains(QStringLiteral("inside its host (in place)")));
    // With them (roles parallel to the map), written-in-place tensors get their own legend entry.
    interstage::SavedSession session = fixture();
    interstage::SavedRunSet& arena = session.runSets.back();
    arena.planTensors.assign(arena.memoryMap.size(), interstage::PlanTensorFacts{1, "own", ""});
    arena.planTensors[3] = {1, "concat-member", arena.memoryMap[10].name};
    QImage image(900, 560, QImage::Format_ARGB32_Premultiplied);
    QPainter painter(&image);
    const report::FigureLayout after =
        report::drawFigureWithLayout(painter, QRectF(0, 0, 900, 560), session, options(ChartKind::MemoryMap));
    QVERIFY2(after.legendNames.contains(QStringLiteral("inside its host (in place)")),
             qPrintable(after.legendNames.join('|')));
    // Facts that do not match the map (another length) are not used.
    arena.planTensors.pop_back();
    const report::FigureLayout mismatched =
        report::drawFigureWithLayout(painter, QRectF(0, 0, 900, 560), session, options(ChartKind::MemoryMap));
    QVERIFY(!mismatched.legendNames.contains(QStringLiteral("inside its host (in place)")));
}

void TestFigures::svgCarriesTitle() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("timeline.svg"));
    QString error;
    QVERIFY2(report::saveFigure(path, fixture(), options(ChartKind::Timeline), &error), qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QString svg = QString::fromUtf8(file.readAll());
    QVERIFY(svg.contains(QStringLiteral("<title>Memory over one run of u2netp.onnx")));
    // The text is drawn as text (vector), not as an image.
    QVERIFY(svg.contains(QStringLiteral(">Memory over one run of u2netp.onnx</text>")));
    QVERIFY(svg.contains(QStringLiteral("viewBox=\"0 0 900 560\"")));
    // Shown at its px size (900 px at 96 dpi = 238.125 mm).
    QVERIFY2(svg.contains(QStringLiteral("width=\"238.125mm\"")) || svg.contains(QStringLiteral("width=\"238.12mm\"")),
             qPrintable(svg.left(600)));
    QVERIFY(!svg.contains(QStringLiteral("<image")));
    // The footnote as its description: the tool, the date, the options.
    QVERIFY(svg.contains(QStringLiteral("<desc>Interstage 0.1.0 · ")));
}

void TestFigures::columnPngIs85mmAt300Dpi() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("map.png"));
    FigureOptions o = options(ChartKind::MemoryMap, Style::Print, Target::Column);
    o.dpi = 300;
    QCOMPARE(report::figurePixelSize(o), QSizeF(1004, 709));
    QString error;
    QVERIFY2(report::saveFigure(path, fixture(), o, &error), qPrintable(error));
    const QImage image(path);
    QCOMPARE(image.width(), 1004);
    QCOMPARE(image.height(), 709);
    QVERIFY(std::abs(image.dotsPerMeterX() * 0.0254 - 300) < 1);
    QVERIFY(std::abs(image.dotsPerMeterY() * 0.0254 - 300) < 1);
    QCOMPARE(report::figurePixelSize(options(ChartKind::Timeline, Style::Light, Target::Slide)), QSizeF(1920, 1080));
}

void TestFigures::pdfPageIsTheFigure() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("timings.pdf"));
    QString error;
    QVERIFY2(report::saveFigure(path, fixture(), options(ChartKind::Timings, Style::Print, Target::Column), &error),
             qPrintable(error));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray pdf = file.readAll();
    QVERIFY(pdf.startsWith("%PDF"));
    // 85 x 60 mm in whole points (240.94 x 170.08), one page.
    QVERIFY(pdf.contains("/MediaBox [0 0 241.000000 170.000000]"));
    QCOMPARE(pdf.count("/Type /Page\n") + pdf.count("/Type /Page\r") + pdf.count("/Type /Page>"), 1);
}

void TestFigures::badInputsAreClearErrors() {
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("x.png"));
    auto errorOf = [&](const QString& path, const FigureOptions& o, const interstage::SavedSession& s = fixture()) {
        QString error;
        const bool ok = report::saveFigure(path, s, o, &error);
        return ok ? QStringLiteral("(written)") : error;
    };
    FigureOptions o = options(ChartKind::Timeline);
    o.set = 7;
    QVERIFY(errorOf(png, o).contains(QStringLiteral("set 7 is out of range: the session has 4 run set(s), 0..3")));
    o.set = 3;
    o.run = 4;
    QVERIFY(errorOf(png, o).contains(QStringLiteral("run 4 is out of range")));
    o.run = 0;
    QVERIFY(errorOf(png, o).contains(QStringLiteral("run 0 is out of range")));
    o = options(ChartKind::Timeline);
    o.set = 0;  // refused by the budget: no runs, no plan
    QVERIFY2(errorOf(png, o).contains(QStringLiteral("set 0 (default (T,T,F,F) · 1 thread · cpu) has no runs to draw: "
                                                     "out of memory")),
             qPrintable(errorOf(png, o)));
    o.kind = ChartKind::MemoryMap;
    QVERIFY(errorOf(png, o).contains(QStringLiteral("has no memory plan to draw")));
    QVERIFY(errorOf(dir.filePath(QStringLiteral("x.bmp")), options(ChartKind::Timeline))
                .contains(QStringLiteral("unknown figure format '.bmp' (use .png, .svg or .pdf)")));
    QVERIFY(errorOf(dir.filePath(QStringLiteral("x")), options(ChartKind::Timeline))
                .contains(QStringLiteral("(no suffix)")));
    QVERIFY(errorOf(QStringLiteral("/nonexistent-folder/x.png"), options(ChartKind::Timeline))
                .contains(QStringLiteral("cannot write '/nonexistent-folder/x.png': no folder")));
    o = options(ChartKind::Timeline);
    o.size = QSizeF(0, 0);
    QVERIFY(errorOf(png, o).contains(QStringLiteral("at least 50x50 px")));
    interstage::SavedSession empty;
    QVERIFY(errorOf(png, options(ChartKind::Timings), empty).contains(QStringLiteral("the session has no run sets")));
    QVERIFY(!QFile::exists(png));
    // drawFigure with options that do not fit draws the reason, and does not crash.
    o = options(ChartKind::Timeline);
    o.set = 42;
    const report::FigureLayout layout = layoutOf(o);
    QVERIFY(layout.error.contains(QStringLiteral("set 42 is out of range")));
}

// Runs with nothing but their time (no events, no RSS samples, a time the
// file held as null), sets without node names or bounds: every kind draws.
void TestFigures::sparseDocumentsStillDraw() {
    interstage::SavedSession session = fixture();
    for (interstage::SavedRunSet& set : session.runSets) {
        set.executedNodeNames.clear();
        set.executedLowerBoundBytes = set.lowerBoundBytes = set.aliasedLowerBoundBytes = 0;
        set.budget = {};
        for (interstage::RunStats& run : set.runs) {
            run.events.clear();
            run.rss.clear();
        }
        if (!set.runs.empty()) set.runs.front().ms = std::nan("");
    }
    QImage image(900, 560, QImage::Format_ARGB32_Premultiplied);
    QPainter painter(&image);
    for (ChartKind kind : {ChartKind::Timeline, ChartKind::MemoryMap, ChartKind::Timings}) {
        const report::FigureLayout layout =
            report::drawFigureWithLayout(painter, QRectF(0, 0, 900, 560), session, options(kind));
        QVERIFY2(layout.error.isEmpty(), qPrintable(layout.error));
        QVERIFY(!layout.title.isEmpty());
        QVERIFY(!layout.legendRect.intersects(layout.axisRect));
    }
    // Without bounds or budget the timeline names only its peak.
    const report::FigureLayout timeline =
        report::drawFigureWithLayout(painter, QRectF(0, 0, 900, 560), session, options(ChartKind::Timeline));
    // ... the bytes held from the start, as nothing is allocated after it.
    double held = 0;
    for (std::size_t bytes : session.runSets.back().runs.back().bytesAtStart) held += double(bytes);
    QCOMPARE(timeline.referenceLabels,
             QStringList{QStringLiteral("peak ") + QString::fromStdString(interstage::formatBytes(held)) +
                         QStringLiteral(" at 0.000 ms")});
}

void TestFigures::renderToolExitCodes() {
    const QString session = sourcePath(QStringLiteral("tests/data/figures/u2netp64_sets.interstage"));
    QTemporaryDir dir;
    auto run = [&](const QStringList& args, QString* err = nullptr) {
        QProcess p;
        p.start(QStringLiteral(INTERSTAGE_RENDER), args);
        p.waitForFinished(60000);
        if (err) *err = QString::fromLocal8Bit(p.readAllStandardError());
        return p.exitCode();
    };
    const QString out = dir.filePath(QStringLiteral("t.svg"));
    QCOMPARE(
        run({session, QStringLiteral("--chart"), QStringLiteral("timeline"), QStringLiteral("--style"),
             QStringLiteral("print"), QStringLiteral("--size"), QStringLiteral("640x400"), QStringLiteral("-o"), out}),
        0);
    QVERIFY(QFile::exists(out));
    QString err;
    QCOMPARE(run({session, QStringLiteral("--chart"), QStringLiteral("map"), QStringLiteral("--set"),
                  QStringLiteral("9"), QStringLiteral("-o"), dir.filePath(QStringLiteral("m.png"))},
                 &err),
             1);
    QCOMPARE(err.count(QLatin1Char('\n')), 1);
    QVERIFY2(err.contains(QStringLiteral("set 9 is out of range")), qPrintable(err));
    QCOMPARE(run({session, QStringLiteral("--chart"), QStringLiteral("pie"), QStringLiteral("-o"), out}, &err), 2);
    QVERIFY(err.contains(QStringLiteral("must be timeline, map or timings")));
    QCOMPARE(run({QStringLiteral("/no/such.interstage"), QStringLiteral("--chart"), QStringLiteral("map"),
                  QStringLiteral("-o"), out},
                 &err),
             1);
}

QTEST_MAIN(TestFigures)
#include "test_figures.moc"
