#include "core/model_document.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include "interstage/zoo.h"

namespace appcore {
namespace {

// Marks for the graph and the reason Run is off, from what loading found.
void noteProblems(ModelDocument& doc) {
    const interstage::Graph& graph = doc.resolved;
    doc.support = interstage::opSupport(graph);
    for (interstage::NodeId node : doc.support.unsupportedNodes) {
        const auto& n = graph.nodes[size_t(node)];
        doc.problems[node] = QObject::tr("No backend runs %1%2")
                                 .arg(n.domain.empty() ? QString() : QString::fromStdString(n.domain) + ".")
                                 .arg(QString::fromStdString(n.opType));
    }
    for (const interstage::UnresolvedShape& u : doc.shapes.unresolved) {
        if (!u.rootCause || u.node == interstage::kNoNode) continue;
        QString& text = doc.problems[u.node];
        const QString reason = QString::fromStdString(u.reason);
        if (!text.contains(reason)) text += (text.isEmpty() ? "" : "\n") + reason;
    }
    QStringList blockers;
    if (!graph.unloadedWeights.empty())
        blockers << QString::fromStdString(interstage::checkWeightsLoaded(graph).message());
    if (!doc.support.runnable())
        blockers << QObject::tr("no backend runs %1")
                        .arg(QString::fromStdString(interstage::describeGaps(graph, doc.support.noCpuKernel)));
    doc.runBlocker = blockers.join("; ");
}

}  // namespace

interstage::Result<std::shared_ptr<const ModelDocument>> loadDocument(
    const QString& path, const interstage::InputShapes& inputShapes,
    const std::function<void(int, const QString&)>& progress, const std::atomic<bool>* cancel) {
    auto report = [&](int percent, const QString& stage) {
        if (progress) progress(percent, stage);
    };
    auto doc = std::make_shared<ModelDocument>();
    doc->path = path;
    doc->inputShapes = inputShapes;
    QElapsedTimer timer;
    timer.start();
    report(5, "reading " + QFileInfo(path).fileName());
    interstage::LoadOptions loadOptions;
    loadOptions.weightsOptional = true;
    auto model = interstage::loadModel(path.toStdString(), loadOptions);
    if (!model.ok()) return model.status();
    report(40, "resolving shapes");
    doc->resolved = model->graph;
    interstage::ShapeOptions shapeOptions;
    shapeOptions.keepGoing = true;
    auto shapes = interstage::resolveShapes(doc->resolved, inputShapes, shapeOptions);
    if (!shapes.ok()) return shapes.status();
    doc->shapes = shapes.take();
    for (const auto& note : doc->shapes.defaultedInputs) doc->shapeNotes << QString::fromStdString(note);
    doc->summary = interstage::summarizeModel(doc->resolved);
    noteProblems(*doc);
    doc->model = std::make_shared<const interstage::Model>(model.take());
    doc->loadMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    if (cancel && cancel->load()) return interstage::Status(interstage::StatusCode::Cancelled, "opening cancelled");
    report(60, "laying out the graph");
    timer.restart();
    // Small models are drawn flat, as one dot graph: their name-scope
    // frames would only add clutter. Big ones with name scopes open
    // grouped, and so does any model with control flow: its bodies are
    // drawn only as groups (a small one groups by its bodies alone).
    GraphLayout plan = planLayout(doc->resolved);
    const bool hasBodies = !plan.bodies.isEmpty();
    const bool big = plan.nodes.size() > kCollapseAboveItems;
    auto grouped = std::make_shared<GroupedGraph>(std::move(plan), big);
    if (hasBodies || (grouped->tree().groupCount() > 1 && big)) {
        doc->expansion = initialExpansion(grouped->tree());
        auto layout = grouped->layout(doc->expansion, cancel);
        if (!layout.ok()) return layout.status();
        doc->layout = layout.take();
        doc->grouped = std::move(grouped);
    } else {
        auto layout = layoutGraph(doc->resolved);
        if (!layout.ok()) return layout.status();
        doc->layout = layout.take();
    }
    doc->layoutMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    report(100, "done");
    return std::shared_ptr<const ModelDocument>(std::move(doc));
}

QString samplesDirectory() {
    // build/bin/interstage -> <source>/models; also a models/ beside the binary.
    const QString appDir = QCoreApplication::applicationDirPath();
    for (const QString& candidate : {appDir + "/../../models", appDir + "/models", QDir::currentPath() + "/models"})
        if (QFileInfo(candidate).isDir()) return QDir(candidate).canonicalPath();
    return QDir(appDir + "/../../models").absolutePath();
}

interstage::Result<QString> sampleModelPath(const QString& name) {
    const QString dir = samplesDirectory();
    if (name == "u2netp") {
        const QString path = dir + "/u2netp.onnx";
        if (!QFileInfo::exists(path)) {
            QDir().mkpath(dir);
            interstage::Status saved = interstage::saveZooModel("u2netp", path.toStdString());
            if (!saved.isOk()) return saved;
        }
        return path;
    }
    const QString path = dir + "/ocr/" + name;
    if (!QFileInfo::exists(path))
        return interstage::Status(interstage::StatusCode::NotFound,
                                  "sample '" + name.toStdString() + "' is not installed (run scripts/setup.sh)");
    return path;
}

}  // namespace appcore
