#include "core/view_state.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

namespace appcore {
namespace {

QJsonObject panelToJson(const RunConfig& config) {
    const interstage::SessionOptions& s = config.session;
    QJsonArray keep;
    for (const std::string& name : s.keep) keep.append(QString::fromStdString(name));
    return QJsonObject{{"backend", QString::fromStdString(s.backend)},
                       {"threads", s.threads},
                       {"mode", QString::fromStdString(s.mode.name())},
                       {"fusion", s.fusion},
                       {"memory_aware_order", s.memoryAwareOrder},
                       {"in_place", s.inPlaceConcat && s.inPlaceOps},
                       {"blocked_layout", s.blockedLayout},
                       {"gpu_fp16", s.gpuFp16},
                       {"runs", config.runs},
                       {"keep", keep}};
}

std::optional<RunConfig> panelFromJson(const QJsonObject& o) {
    RunConfig config;
    interstage::SessionOptions& s = config.session;
    auto mode = interstage::MemoryMode::parse(o.value("mode").toString().toStdString());
    if (!mode.ok()) return std::nullopt;
    s.mode = mode.value();
    s.backend = o.value("backend").toString("cpu").toStdString();
    s.threads = std::max(0, o.value("threads").toInt(0));
    s.fusion = o.value("fusion").toBool(true);
    s.memoryAwareOrder = o.value("memory_aware_order").toBool(true);
    s.inPlaceConcat = s.inPlaceOps = o.value("in_place").toBool(true);
    s.blockedLayout = o.value("blocked_layout").toBool(true);
    s.gpuFp16 = o.value("gpu_fp16").toBool(false);
    config.runs = std::max(1, o.value("runs").toInt(3));
    for (const QJsonValue& name : o.value("keep").toArray())
        if (name.isString()) s.keep.push_back(name.toString().toStdString());
    return config;
}

}  // namespace

QString viewStateToJson(const ViewState& state) {
    QJsonObject o{{"tab", state.tab}, {"selected_node", state.selectedNode}};
    if (state.panel) o.insert("run_panel", panelToJson(*state.panel));
    if (!state.tensorNames.isEmpty()) o.insert("tensor_names", QJsonArray::fromStringList(state.tensorNames));
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

ViewState viewStateFromJson(const QString& text) {
    ViewState state;
    const QJsonDocument doc = QJsonDocument::fromJson(text.toUtf8());
    if (!doc.isObject()) return state;
    const QJsonObject o = doc.object();
    state.tab = o.value("tab").toString();
    state.selectedNode = o.value("selected_node").toString();
    if (o.value("run_panel").isObject()) state.panel = panelFromJson(o.value("run_panel").toObject());
    for (const QJsonValue& name : o.value("tensor_names").toArray()) state.tensorNames << name.toString();
    return state;
}

}  // namespace appcore
