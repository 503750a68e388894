// Saved sessions: File > Save Session / Open Session, restoring the window
// from one (with its model when the file there is the one saved, else the
// charts alone), the unsaved-runs question and the autosave.
#include <QAction>
#include <QCoreApplication>
#include <QDateTime>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>
#include <QtConcurrent>

#include "core/session_convert.h"
#include "core/view_state.h"
#include "main_window.h"
#include "widgets/graph_view.h"
#include "widgets/inspector.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/peak_panel.h"
#include "widgets/run_panel.h"
#include "widgets/timing_chart.h"

namespace {

const QStringList kTabNames = {"timeline", "map", "timings"};

QString sessionFilter() {
    return QObject::tr("Interstage sessions (*.%1);;All files (*)").arg(appcore::kSessionSuffix);
}

std::shared_future<interstage::Result<interstage::ModelIdentity>> readyIdentity(
    const interstage::ModelIdentity& identity) {
    std::promise<interstage::Result<interstage::ModelIdentity>> promise;
    promise.set_value(identity);
    return promise.get_future().share();
}

}  // namespace

void MainWindow::buildSessionMenu(QMenu* file) {
    file->addAction(tr("Open Sess&ion..."), this, [this] {
        const QString path = QFileDialog::getOpenFileName(this, tr("Open session"), QString(), sessionFilter());
        if (!path.isEmpty() && confirmDiscardUnsaved()) openSession(path);
    });
    auto saveAs = [this] {
        QString path = QFileDialog::getSaveFileName(this, tr("Save session"), sessionPath_, sessionFilter());
        if (path.isEmpty()) return false;
        if (QFileInfo(path).suffix().isEmpty()) path += QString(".") + appcore::kSessionSuffix;
        if (saveSession(path)) return true;
        showError(tr("Cannot save the session"), lastError_);
        return false;
    };
    file->addAction(tr("&Save Session"), QKeySequence::Save, this, [this, saveAs] {
        if (sessionPath_.isEmpty()) {
            saveAs();
        } else if (!saveSession(sessionPath_)) {
            showError(tr("Cannot save the session"), lastError_);
        }
    });
    file->addAction(tr("Save Session &As..."), QKeySequence::SaveAs, this, saveAs);
}

appcore::Autosave::Builder MainWindow::sessionBuilder() const {
    // Copies of what the session holds (run statistics are shared, not
    // copied): the builder may run on the autosave's worker thread.
    appcore::ViewState view;
    view.tab = kTabNames.value(tabs_->currentIndex());
    if (document_ && selectedNode_ >= 0 && selectedNode_ < int(document_->resolved.nodes.size()))
        view.selectedNode = QString::fromStdString(document_->resolved.nodes[size_t(selectedNode_)].name);
    QString ignored;
    view.panel = runPanel_->config(&ignored);
    if (document_)
        for (const auto& v : document_->resolved.values) view.tensorNames << QString::fromStdString(v.name);
    else
        view.tensorNames = sessionTensorNames_;
    return [identity = modelIdentity_, shapes = document_ ? document_->inputShapes : sessionShapes_,
            facts = document_ ? appcore::modelFactsOf(*document_) : sessionFacts_,
            path = document_ ? document_->path : QString(), history = history_,
            viewJson = appcore::viewStateToJson(view)] {
        interstage::SavedSession session;
        session.writer = ("interstage " + QCoreApplication::applicationVersion()).toStdString();
        session.savedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toStdString();
        if (identity.valid() && identity.get().ok()) {
            session.model = identity.get().value();
        } else {
            // The file went away after it was opened: its path is all there is.
            session.model.path = QFileInfo(path).absoluteFilePath().toStdString();
        }
        session.inputShapes = shapes;
        session.facts = facts;
        session.runSets = appcore::toSavedRunSets(history);
        session.viewState = viewJson.toStdString();
        return session;
    };
}

interstage::SavedSession MainWindow::exportDocument() const { return sessionBuilder()(); }

bool MainWindow::saveSession(const QString& path) {
    if (!document_ && !isChartsOnly()) {
        lastError_ = tr("nothing to save: open a model first");
        return false;
    }
    const interstage::Status status = interstage::writeSessionFile(path.toStdString(), sessionBuilder()());
    if (!status.isOk()) {
        lastError_ = tr("cannot save the session to '%1': %2").arg(path, QString::fromStdString(status.message()));
        return false;
    }
    sessionPath_ = QFileInfo(path).absoluteFilePath();
    setUnsaved(false);
    addRecent(sessionPath_);
    updateTitle();
    statusBar()->showMessage(tr("Session saved to %1").arg(sessionPath_), 5000);
    return true;
}

bool MainWindow::openSession(const QString& path) {
    if (controller_.isRunning() || !queue_.empty()) {
        showError(tr("Cannot open the session"), tr("a run is in progress: stop it first"));
        return false;
    }
    auto read = interstage::readSessionFile(path.toStdString());
    if (!read.ok()) {
        showError(tr("Cannot open the session"),
                  tr("'%1': %2").arg(path, QString::fromStdString(read.status().message())));
        return false;
    }
    auto session = std::make_shared<const interstage::SavedSession>(read.take());
    // Whether the model is the one saved: hashing streams the whole file
    // (openssl dgst -sha256, the same EVP code: 0.25 s for 200 MB here, more
    // from a cold disk), so off the UI thread, as a load is;
    // opening something else meanwhile supersedes it the same way.
    if (loadCancel_) loadCancel_->store(true);
    pendingRestore_.reset();
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    loadCancel_ = cancel;
    loading_ = true;
    statusLabel_->setText(tr("Checking the model of %1...").arg(QFileInfo(path).fileName()));
    auto found = std::make_shared<interstage::Result<interstage::ModelIdentity>>(
        interstage::Status(interstage::StatusCode::Internal, "not checked"));
    auto* watcher = new QFutureWatcher<void>(this);
    connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher, cancel, found, session, path] {
        watcher->deleteLater();
        if (cancel->load()) return;  // superseded
        loadCancel_.reset();
        loading_ = false;
        modelChecked(*session, path, *found);
    });
    watcher->setFuture(
        QtConcurrent::run([found, modelPath = session->model.path] { *found = interstage::identifyModel(modelPath); }));
    return true;
}

void MainWindow::modelChecked(const interstage::SavedSession& session, const QString& path,
                              const interstage::Result<interstage::ModelIdentity>& found) {
    const QString modelPath = QString::fromStdString(session.model.path);
    const bool same = found.ok() && !session.model.sha256.empty() && found.value() == session.model;
    if (!same) {
        const QString why = !QFileInfo::exists(modelPath) ? tr("the model at %1 was not found").arg(modelPath)
                            : !found.ok()
                                ? tr("the model at %1 cannot be read (%2)")
                                      .arg(modelPath, QString::fromStdString(found.status().message()))
                                : tr("the model at %1 has changed since the session was saved").arg(modelPath);
        restoreChartsOnly(session, path, why);
        addRecent(path);
        return;
    }
    openModel(modelPath, session.inputShapes);  // clears any earlier pending restore
    pendingRestore_ = PendingRestore{session, path};
}

void MainWindow::openPath(const QString& path) {
    if (!confirmDiscardUnsaved()) return;
    if (interstage::looksLikeSessionFile(path.toStdString()))
        openSession(path);
    else
        openModel(path);
}

void MainWindow::restorePending() {
    const PendingRestore pending = std::move(*pendingRestore_);
    pendingRestore_.reset();
    // Checked before the model was opened: no need to hash it again.
    modelIdentity_ = readyIdentity(pending.session.model);
    addRecent(pending.path);
    restoreSession(pending.session, pending.path);
}

void MainWindow::clearCharts() {
    queue_.clear();
    results_.clear();
    history_.clear();
    timeline_->clear();
    timingChart_->clear();
    memoryMap_->clear();
    peakPanel_->clear();
    updateDiffView();
    clearSteps();
}

void MainWindow::restoreSession(const interstage::SavedSession& session, const QString& path) {
    clearCharts();
    // As each set is drawn when it finishes live (the timeline also gets
    // every run's RunDone first), so that every chart ends with the same data.
    for (const appcore::RunSetResult& result : appcore::fromSavedRunSets(session.runSets)) {
        controller_.continueSetIdsAfter(result.setId);
        timeline_->beginSet(result.setId, result.config.label());
        for (const auto& run : result.runs) timeline_->finishRun(appcore::RunDone{result.setId, run});
        drawFinishedSet(result);
    }
    const appcore::ViewState view = appcore::viewStateFromJson(QString::fromStdString(session.viewState));
    if (kTabNames.contains(view.tab)) tabs_->setCurrentIndex(int(kTabNames.indexOf(view.tab)));
    if (view.panel) runPanel_->applyConfig(*view.panel);
    if (!document_) {
        sessionTensorNames_ = view.tensorNames;
        timeline_->setTensorNames(view.tensorNames);
    }
    if (document_ && !view.selectedNode.isEmpty() && graphView_->selectNode(view.selectedNode))
        selectNode(graphView_->selectedNode());
    sessionPath_ = QFileInfo(path).absoluteFilePath();
    setUnsaved(false);
    updateTitle();
    if (!isChartsOnly())
        statusBar()->showMessage(tr("Session restored: %n run set(s), saved %1", nullptr, int(session.runSets.size()))
                                     .arg(QString::fromStdString(session.savedAt)),
                                 10000);
    requestAutosave();
    emit sessionRestored();
}

void MainWindow::restoreChartsOnly(const interstage::SavedSession& session, const QString& path, const QString& why) {
    // A model still loading would replace the restored charts when it lands.
    if (loadCancel_) loadCancel_->store(true);
    loadCancel_.reset();
    loading_ = false;
    progress_->hide();
    pendingRestore_.reset();
    controller_.stop();
    document_.reset();
    selectedNode_ = -1;
    modelIdentity_ = readyIdentity(session.model);
    sessionShapes_ = session.inputShapes;
    sessionFacts_ = session.facts;
    chartsOnlyNote_ = tr("Charts only: %1.").arg(why);
    graphView_->clearGraph();
    graphView_->setEmptyText(chartsOnlyNote_ + "\n" + tr("Open the model to see its graph and run it."));
    graphView_->setProblems({});
    inspector_->clearNode();
    runPanel_->setInputs({}, {}, {}, {});
    runPanel_->setBlocked(tr("charts only: the session's model is not open"));
    statusLabel_->setText(chartsOnlyNote_);
    restoreSession(session, path);
}

void MainWindow::setUnsaved(bool unsaved) {
    unsaved_ = unsaved;
    setWindowModified(unsaved);
}

void MainWindow::updateTitle() {
    QString title = document_ ? QFileInfo(document_->path).fileName() : QString();
    if (!sessionPath_.isEmpty())
        title =
            title.isEmpty() ? QFileInfo(sessionPath_).fileName() : title + " · " + QFileInfo(sessionPath_).fileName();
    if (isChartsOnly()) title += tr(" (charts only)");
    // [*]: Qt shows it as '*' while the window is modified (unsaved run sets).
    setWindowTitle(title.isEmpty() ? QStringLiteral("Interstage[*]") : title + QStringLiteral("[*] — Interstage"));
}

void MainWindow::identifyOpenModel() {
    const std::string path = document_->path.toStdString();
    modelIdentity_ = std::async(std::launch::async, [path] { return interstage::identifyModel(path); }).share();
}

void MainWindow::requestAutosave() {
    if (!document_ && !isChartsOnly()) return;
    autosave_->save(sessionBuilder());
}

bool MainWindow::confirmDiscardUnsaved() {
    if (!unsaved_) return true;
    QMessageBox::StandardButton answer = unsavedAnswer_;
    QString savePath = unsavedSavePath_.isEmpty() ? sessionPath_ : unsavedSavePath_;
    if (!quiet_) {
        answer = QMessageBox::question(
            this, tr("Unsaved run sets"),
            tr("The run sets made since the session was last saved will be lost. Save them first?"),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (answer == QMessageBox::Save && sessionPath_.isEmpty()) {
            savePath = QFileDialog::getSaveFileName(this, tr("Save session"), QString(), sessionFilter());
            if (savePath.isEmpty()) return false;
            if (QFileInfo(savePath).suffix().isEmpty()) savePath += QString(".") + appcore::kSessionSuffix;
        } else {
            savePath = sessionPath_;
        }
    }
    if (answer == QMessageBox::Discard) return true;
    if (answer != QMessageBox::Save || savePath.isEmpty()) return false;
    if (saveSession(savePath)) return true;
    showError(tr("Cannot save the session"), lastError_);
    return false;
}
