#include "core/model_document.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include "interstage/zoo.h"

namespace appcore {

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
    auto model = interstage::loadModel(path.toStdString());
    if (!model.ok()) return model.status();
    report(40, "resolving shapes");
    doc->resolved = model->graph;
    auto shapes = interstage::resolveShapes(doc->resolved, inputShapes);
    if (!shapes.ok()) return shapes.status();
    for (const auto& note : shapes->defaultedInputs) doc->shapeNotes << QString::fromStdString(note);
    doc->summary = interstage::summarizeModel(doc->resolved);
    doc->model = std::make_shared<const interstage::Model>(model.take());
    doc->loadMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    if (cancel && cancel->load()) return interstage::Status(interstage::StatusCode::Cancelled, "opening cancelled");
    report(60, "laying out the graph");
    timer.restart();
    // Small models are drawn flat, as one dot graph: their frames would
    // only add clutter. Big ones with name scopes open grouped.
    auto grouped = std::make_shared<GroupedGraph>(planLayout(doc->resolved));
    if (grouped->tree().groupCount() > 1 && grouped->tree().itemCount() > kCollapseAboveItems) {
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
