#include "main_window.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QPointer>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QtConcurrent>

#include "interstage/vulkan.h"
#include "widgets/graph_view.h"
#include "widgets/inspector.h"
#include "widgets/memory_map.h"
#include "widgets/memory_timeline.h"
#include "widgets/run_panel.h"
#include "widgets/timing_chart.h"

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle("Interstage");
    setAcceptDrops(true);
    resize(1500, 950);

    graphView_ = new widgets::GraphView;
    timeline_ = new widgets::MemoryTimeline;
    memoryMap_ = new widgets::MemoryMap;
    timingChart_ = new widgets::TimingChart;
    tabs_ = new QTabWidget;
    tabs_->addTab(timeline_, tr("Memory timeline"));
    tabs_->addTab(memoryMap_, tr("Memory map"));
    tabs_->addTab(timingChart_, tr("Timings"));
    buildDiffTab();
    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(graphView_);
    splitter->addWidget(buildStepArea(tabs_));
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({430, 770});
    setCentralWidget(splitter);

    buildDocks();
    buildMenus();
    buildPeakPanel();
    {
        // The CPU and every Vulkan device the loader finds (none: CPU only).
        QStringList ids{"cpu"}, labels{tr("CPU")};
        if (auto devices = interstage::listVulkanDevices(); devices.ok())
            for (const auto& d : devices.value()) {
                ids << QString("vulkan:%1").arg(d.index);
                labels << QString("Vulkan %1: %2 (%3)")
                              .arg(d.index)
                              .arg(QString::fromStdString(d.name), QString::fromStdString(d.type));
            }
        runPanel_->setBackends(ids, labels);
    }

    statusLabel_ = new QLabel(tr("Open a model (File > Open, or drop an .onnx file here)"));
    progress_ = new QProgressBar;
    progress_->setMaximumWidth(220);
    progress_->hide();
    statusBar()->addWidget(statusLabel_, 1);
    statusBar()->addPermanentWidget(progress_);

    connect(graphView_, &widgets::GraphView::nodeSelected, this, &MainWindow::selectNode);
    connect(memoryMap_, &widgets::MemoryMap::tensorClicked, this, [this](const QString& tensor) {
        if (!document_) return;
        const auto& g = document_->resolved;
        const interstage::ValueId id = g.find(tensor.toStdString());
        if (id == interstage::kNoValue) return;
        const interstage::NodeId producer = g.value(id).producer;
        if (producer != interstage::kNoNode) {
            graphView_->selectNode(QString::fromStdString(g.nodes[static_cast<size_t>(producer)].name));
            selectNode(producer);
        }
        showTensor(tensor);
    });
    connect(inspector_, &widgets::Inspector::tensorChosen, this, &MainWindow::showTensor);
    connect(inspector_, &widgets::Inspector::pinRequested, this, [this](const QString& tensor) {
        runPanel_->addKeep(tensor);
        statusBar()->showMessage(tr("'%1' will be kept readable in the next run").arg(tensor), 5000);
    });
    connect(runPanel_, &widgets::RunPanel::runRequested, this, &MainWindow::runOnce);
    connect(runPanel_, &widgets::RunPanel::compareRequested, this, &MainWindow::comparePresets);
    connect(runPanel_, &widgets::RunPanel::planRequested, this, &MainWindow::planOnce);
    connect(runPanel_, &widgets::RunPanel::stopRequested, this, [this] {
        queue_.clear();
        controller_.stop();
    });
    connect(&controller_, &appcore::RunController::progress, timeline_, &widgets::MemoryTimeline::addProgress);
    connect(&controller_, &appcore::RunController::runFinished, timeline_, &widgets::MemoryTimeline::finishRun);
    connect(&controller_, &appcore::RunController::runFinished, this,
            [this](const appcore::RunDone& done) { timingChart_->addRun(done.setId, currentLabel_, done.stats->ms); });
    connect(&controller_, &appcore::RunController::setFinished, this, &MainWindow::onSetFinished);
    autosave_ = std::make_unique<appcore::Autosave>();
    connect(autosave_.get(), &appcore::Autosave::failed, this, [this](const QString& message) {
        statusBar()->showMessage(tr("Autosave failed: %1").arg(message), 10000);
    });
    updateStatus();
    updateTitle();
}

MainWindow::~MainWindow() {
    queue_.clear();
    controller_.stop();
    if (loadWatcher_) loadWatcher_->waitForFinished();
}

void MainWindow::buildDocks() {
    runPanel_ = new widgets::RunPanel;
    auto* runDock = new QDockWidget(tr("Run"), this);
    runDock->setObjectName("runDock");
    runDock->setWidget(runPanel_);
    addDockWidget(Qt::LeftDockWidgetArea, runDock);

    inspector_ = new widgets::Inspector;
    auto* inspectorDock = new QDockWidget(tr("Inspector"), this);
    inspectorDock->setObjectName("inspectorDock");
    inspectorDock->setWidget(inspector_);
    addDockWidget(Qt::LeftDockWidgetArea, inspectorDock);
    resizeDocks({runDock}, {300}, Qt::Horizontal);
    resizeDocks({runDock, inspectorDock}, {520, 400}, Qt::Vertical);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open..."), QKeySequence::Open, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open ONNX model or session"), QString(),
            tr("ONNX models and sessions (*.onnx *.%1);;All files (*)").arg(appcore::kSessionSuffix));
        if (!path.isEmpty()) openPath(path);
    });
    QMenu* samples = file->addMenu(tr("Open &Sample"));
    samples->addAction(tr("U^2-Net-P (built in)"), this, [this] {
        if (confirmDiscardUnsaved()) openSample("u2netp");
    });
    for (const auto& [label, fileName] :
         {std::pair<QString, QString>{"PP-OCRv4 detection", "ch_PP-OCRv4_det_infer.onnx"},
          {"PP-OCRv4 recognition", "ch_PP-OCRv4_rec_infer.onnx"},
          {"PP-OCR direction classifier", "ch_ppocr_mobile_v2.0_cls_infer.onnx"}}) {
        QAction* action = samples->addAction(label, this, [this, fileName = fileName] {
            if (confirmDiscardUnsaved()) openSample(fileName);
        });
        action->setEnabled(QFileInfo::exists(appcore::samplesDirectory() + "/ocr/" + fileName));
    }
    recentMenu_ = file->addMenu(tr("Open &Recent"));
    rebuildRecentMenu();
    file->addSeparator();
    buildSessionMenu(file);
    file->addSeparator();
    buildExportMenu(file);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("&Fit graph to window"), QKeySequence(Qt::CTRL | Qt::Key_0), graphView_,
                    &widgets::GraphView::fitToWindow);
    view->addAction(tr("&Find node..."), QKeySequence::Find, this, [this] {
        bool ok = false;
        const QString text =
            QInputDialog::getText(this, tr("Find node"), tr("Name or op type:"), QLineEdit::Normal, QString(), &ok);
        if (!ok || text.isEmpty()) return;
        const int matches = graphView_->findAndSelect(text);
        statusBar()->showMessage(matches ? tr("%1 matches for '%2' (Ctrl+F again for the next)").arg(matches).arg(text)
                                         : tr("No node matches '%1'").arg(text),
                                 5000);
    });
    QMenu* colour = view->addMenu(tr("&Colour by"));
    colour->addAction(tr("Op type"), this, [this] { graphView_->setColorBy(widgets::GraphView::ColorBy::OpType); });
    colour->addAction(tr("Tensor size"), this,
                      [this] { graphView_->setColorBy(widgets::GraphView::ColorBy::TensorSize); });
    colour->addAction(tr("Lifetime"), this, [this] { graphView_->setColorBy(widgets::GraphView::ColorBy::Lifetime); });
    addMemoryColourActions(colour);
    buildFitTab(view);
}

void MainWindow::openSample(const QString& name) {
    auto path = appcore::sampleModelPath(name);
    if (!path.ok()) {
        showError(tr("Sample not available"), QString::fromStdString(path.status().message()));
        return;
    }
    openModel(path.value());
}

void MainWindow::openModel(const QString& path, const interstage::InputShapes& shapes) {
    pendingRestore_.reset();  // a session waiting for its model gives way to this one
    // A model still loading is superseded: its layout stops at the next
    // group, and its result never reaches the window.
    if (loadCancel_) loadCancel_->store(true);
    auto cancel = std::make_shared<std::atomic<bool>>(false);
    loadCancel_ = cancel;
    loading_ = true;
    progress_->setValue(0);
    progress_->show();
    statusLabel_->setText(tr("Loading %1...").arg(QFileInfo(path).fileName()));
    auto holder = std::make_shared<interstage::Result<std::shared_ptr<const appcore::ModelDocument>>>(
        interstage::Status(interstage::StatusCode::Internal, "not loaded"));
    QPointer<MainWindow> self = this;
    auto onProgress = [self, cancel](int percent, const QString& stage) {
        QMetaObject::invokeMethod(
            qApp,
            [self, cancel, percent, stage] {
                if (!self || cancel->load()) return;
                self->progress_->setValue(percent);
                self->progress_->setFormat(stage + " %p%");
            },
            Qt::QueuedConnection);
    };
    if (!loadWatcher_) loadWatcher_ = new QFutureWatcher<void>(this);
    loadWatcher_->disconnect();
    connect(loadWatcher_, &QFutureWatcher<void>::finished, this, [this, holder, path, cancel] {
        if (cancel->load()) return;  // superseded (its watcher was handed the newer load)
        loading_ = false;
        loadCancel_.reset();
        progress_->hide();
        if (!holder->ok()) {
            if (pendingRestore_) {
                // The session's model is there but does not open (now): its charts still can.
                const PendingRestore pending = std::move(*pendingRestore_);
                restoreChartsOnly(pending.session, pending.path,
                                  tr("the model at %1 cannot be opened (%2)")
                                      .arg(path, QString::fromStdString(holder->status().message())));
                return;
            }
            updateStatus();
            showError(tr("Cannot open model"), QString::fromStdString(holder->status().toString()));
            return;
        }
        addRecent(path);
        documentLoaded(holder->value());
    });
    loadWatcher_->setFuture(QtConcurrent::run([holder, path, shapes, onProgress, cancel] {
        *holder = appcore::loadDocument(path, shapes, onProgress, cancel.get());
    }));
}

void MainWindow::documentLoaded(std::shared_ptr<const appcore::ModelDocument> doc) {
    queue_.clear();
    controller_.stop();
    document_ = std::move(doc);
    results_.clear();
    selectedNode_ = -1;
    if (document_->grouped)
        graphView_->setGroupedGraph(document_->resolved, document_->grouped, document_->layout, document_->expansion);
    else
        graphView_->setGraph(document_->resolved, document_->layout);
    graphView_->setProblems(document_->problems);
    runPanel_->setBlocked(document_->runBlocker);
    timeline_->clear();
    timingChart_->clear();
    inspector_->clearNode();
    QStringList names, declared, current;
    std::vector<interstage::DataType> dtypes;
    for (interstage::ValueId id : document_->resolved.runtimeInputs()) {
        const auto& v = document_->resolved.value(id);
        names << QString::fromStdString(v.name);
        dtypes.push_back(v.dtype);
        declared << QString::fromStdString(interstage::shapeToString(v.declaredShape));
        current << QString::fromStdString(interstage::shapeToString(v.shape));
    }
    runPanel_->setInputs(names, declared, current, dtypes);
    QStringList tensorNames;
    for (const auto& v : document_->resolved.values) tensorNames << QString::fromStdString(v.name);
    timeline_->setTensorNames(tensorNames);
    timeline_->setLowerBound(document_->summary.lowerBound.bytes);
    chartsOnlyNote_.clear();
    graphView_->setEmptyText(tr("No model open"));
    updateStatus();
    if (pendingRestore_) {
        restorePending();
    } else {
        clearCharts();
        sessionPath_.clear();
        setUnsaved(false);
        updateTitle();
        identifyOpenModel();
        requestAutosave();
    }
    emit documentChanged();
}

void MainWindow::updateStatus() {
    if (!document_) {
        statusLabel_->setText(isChartsOnly() ? chartsOnlyNote_
                                             : tr("Open a model (File > Open, or drop an .onnx file here)"));
        return;
    }
    const auto& s = document_->summary;
    const QLocale locale;
    statusLabel_->setText(
        tr("%1 · opset %2 · %3 nodes · weights %4 · intermediates %5 · lower bound %6 · opened in %7 ms")
            .arg(QFileInfo(document_->path).fileName())
            .arg(s.opset)
            .arg(s.nodes)
            .arg(locale.formattedDataSize(qint64(s.weightBytes), 1, QLocale::DataSizeTraditionalFormat))
            .arg(locale.formattedDataSize(qint64(s.intermediateBytes), 1, QLocale::DataSizeTraditionalFormat))
            .arg(locale.formattedDataSize(qint64(s.lowerBound.bytes), 1, QLocale::DataSizeTraditionalFormat))
            .arg(qRound(document_->loadMs + document_->layoutMs)));
    if (s.unloadedWeights > 0)
        statusLabel_->setText(
            statusLabel_->text() +
            tr(" · weights not loaded (%1 declared)")
                .arg(locale.formattedDataSize(qint64(s.unloadedWeightBytes), 1, QLocale::DataSizeTraditionalFormat)));
    if (!document_->shapes.unresolved.empty())
        statusLabel_->setText(statusLabel_->text() +
                              (document_->shapes.unresolved.size() == 1
                                   ? tr(" · 1 value without a shape (?)")
                                   : tr(" · %1 values without a shape (?)").arg(document_->shapes.unresolved.size())));
    if (document_->grouped) {
        // Control-flow body nodes are drawn too: count them with the rest.
        int bodyNodes = 0;
        for (const appcore::LayoutNode& node : document_->grouped->plan().nodes)
            bodyNodes += node.node >= 0 && node.body >= 0 ? 1 : 0;
        statusBar()->showMessage(tr("%1 nodes in %2 groups: double-click a group to expand or collapse it")
                                     .arg(s.nodes + bodyNodes)
                                     .arg(document_->grouped->tree().groupCount() - 1),
                                 15000);
    } else if (document_->layout.simplified)
        statusBar()->showMessage(tr("%1 nodes: drawn in execution order (Graphviz lays out graphs of up to %2 nodes)")
                                     .arg(s.nodes)
                                     .arg(appcore::kMaxGraphvizNodes),
                                 15000);
}

void MainWindow::showError(const QString& title, const QString& message) {
    lastError_ = message;
    emit errorShown(title, message);
    if (quiet_) return;
    QMessageBox::warning(this, title, message);
}

void MainWindow::addRecent(const QString& path) {
    QSettings settings;
    QStringList recent = settings.value("recentFiles").toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > 10) recent.removeLast();
    settings.setValue("recentFiles", recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    recentMenu_->clear();
    const QStringList recent = QSettings().value("recentFiles").toStringList();
    for (const QString& path : recent)
        recentMenu_->addAction(QFileInfo(path).fileName(), this, [this, path] { openPath(path); })->setToolTip(path);
    recentMenu_->setEnabled(!recent.isEmpty());
}

bool MainWindow::isBusy() const { return loading_ || controller_.isRunning() || !queue_.empty(); }

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const auto urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile()) openPath(urls.first().toLocalFile());
}

void MainWindow::closeEvent(QCloseEvent* event) {
    if (!confirmDiscardUnsaved()) {
        event->ignore();
        return;
    }
    // Closing during a run: stop it; the controller joins its worker.
    queue_.clear();
    controller_.stop();
    event->accept();
}
