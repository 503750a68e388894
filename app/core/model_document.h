// An opened model as the app holds it: the engine's Model (shared with run
// workers), a copy with shapes resolved for display, its summary and its
// graph layout. Loading runs off the UI thread.
#pragma once

#include <QHash>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

#include "core/graph_layout.h"
#include "core/grouped_layout.h"
#include "interstage/model.h"
#include "interstage/model_info.h"
#include "interstage/op_support.h"

namespace appcore {

struct ModelDocument {
    QString path;
    std::shared_ptr<const interstage::Model> model;
    interstage::Graph resolved;  // shapes resolved for the current input shapes
    interstage::ModelSummary summary;
    interstage::InputShapes inputShapes;  // what `resolved` was resolved for
    QStringList shapeNotes;               // defaults used for dynamic dims
    // What opening found but did not stop at: values without a shape, ops
    // no backend runs, weights whose external data was not read.
    interstage::ShapeReport shapes;
    interstage::OpSupport support;
    QHash<int, QString> problems;  // Graph::nodes index -> what is wrong there
    QString runBlocker;            // why Run is off; empty when the model can run
    GraphLayout layout;            // the first picture: flat, or `grouped` under `expansion`
    // Set for models with name scopes: their groups, expandable in the view.
    std::shared_ptr<const GroupedGraph> grouped;
    Expansion expansion;
    double loadMs = 0;
    double layoutMs = 0;
};

// Loads, resolves shapes and lays out the graph; blocking (call it from a
// worker). `progress` (may be empty) gets a percentage and a stage name.
// Any file that parses as ONNX opens: missing external data, unknown ops
// and unresolvable shapes are recorded in the document, not errors.
// `cancel` (may be null) stops the work between stages and between the
// groups' layouts (Cancelled status): another model is being opened.
interstage::Result<std::shared_ptr<const ModelDocument>> loadDocument(
    const QString& path, const interstage::InputShapes& inputShapes,
    const std::function<void(int, const QString&)>& progress = {}, const std::atomic<bool>* cancel = nullptr);

// Where the set-up keeps sample models (models/ beside the build), and the
// U^2-Net-P sample itself, built with the zoo when missing.
QString samplesDirectory();
interstage::Result<QString> sampleModelPath(const QString& name);

}  // namespace appcore
