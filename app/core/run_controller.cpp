#include "core/run_controller.h"

#include <pthread.h>

#include <QMetaObject>
#include <QPointer>
#include <algorithm>

#include "interstage/export_facts.h"

namespace appcore {
namespace {

// Forwards the engine's callbacks to the controller's thread as values.
class Forwarder : public interstage::RunObserver {
public:
    Forwarder(RunController* controller, int setId, std::atomic<bool>& cancel)
        : controller_(controller), setId_(setId), cancel_(cancel) {}

    void runStarted(int run) override {
        QPointer<RunController> target = controller_;
        int setId = setId_;
        QMetaObject::invokeMethod(
            controller_,
            [target, setId, run] {
                if (target) emit target->runStarted(setId, run);
            },
            Qt::QueuedConnection);
    }
    void progress(int run, const std::vector<interstage::NodeTiming>& nodes,
                  const std::vector<interstage::MemoryEvent>& events,
                  const std::vector<interstage::RssSample>& rss) override {
        RunProgress batch{setId_, run, nodes, events, rss};
        QPointer<RunController> target = controller_;
        QMetaObject::invokeMethod(
            controller_,
            [target, batch = std::move(batch)] {
                if (target) emit target->progress(batch);
            },
            Qt::QueuedConnection);
    }
    bool cancelRequested() override { return cancel_.load(); }

private:
    RunController* controller_;
    int setId_;
    std::atomic<bool>& cancel_;
};

}  // namespace

RunController::RunController(QObject* parent) : QObject(parent) {
    qRegisterMetaType<RunProgress>();
    qRegisterMetaType<RunDone>();
    qRegisterMetaType<RunSetResult>();
}

RunController::~RunController() {
    stop();
    join();
}

void RunController::join() {
    if (worker_.joinable()) worker_.join();
}

void RunController::stop() { cancel_ = true; }

void RunController::continueSetIdsAfter(int setId) { nextSetId_ = std::max(nextSetId_, setId + 1); }

int RunController::start(std::shared_ptr<const interstage::Model> model, const RunConfig& config) {
    stop();
    join();
    // The previous session's buffers would otherwise sit in the process
    // while the new set runs and show up in its resident memory.
    lastSession_.reset();
    cancel_ = false;
    running_ = true;
    const int setId = nextSetId_++;
    worker_ = std::thread([this, setId, model = std::move(model), config] { work(setId, model, config); });
    return setId;
}

void RunController::work(int setId, std::shared_ptr<const interstage::Model> model, RunConfig config) {
    // Named so that tools (top, gdb) and the tests can see it come and go.
    pthread_setname_np(pthread_self(), "interstage-run");
    RunSetResult result;
    result.setId = setId;
    result.config = config;
    Forwarder forwarder(this, setId, cancel_);
    interstage::SessionOptions options = config.session;
    options.observer = &forwarder;

    std::shared_ptr<interstage::Session> session;
    auto created = interstage::Session::create(*model, options);
    if (!created.ok()) {
        result.error = QString::fromStdString(created.status().toString());
    } else {
        session = std::shared_ptr<interstage::Session>(created.take().release());
        if (config.failNthAllocationForTesting)
            session->failNthAllocationForTesting(config.failNthAllocationForTesting);
        if (config.loseDeviceAtSubmitForTesting)
            session->loseDeviceAtNthSubmitForTesting(config.loseDeviceAtSubmitForTesting);
        result.lowerBoundBytes = session->lowerBoundBytes();
        result.plannedPeakBytes = session->plannedPeakBytes();
        result.budget = session->memoryBudget();
        for (int r = 0; r < config.runs && !cancel_.load(); ++r) {
            auto stats = std::make_shared<interstage::RunStats>();
            interstage::Status status = session->run(config.inputs, stats.get());
            if (status.code() == interstage::StatusCode::Cancelled) {
                result.cancelled = true;
                break;
            }
            if (!status.isOk()) {
                result.error = QString::fromStdString(status.toString());
                break;
            }
            std::shared_ptr<const interstage::RunStats> done = stats;
            result.runs.push_back(done);
            QPointer<RunController> target = this;
            QMetaObject::invokeMethod(
                this,
                [target, setId, done] {
                    if (target) emit target->runFinished(RunDone{setId, done});
                },
                Qt::QueuedConnection);
        }
        if (cancel_.load()) result.cancelled = true;
        result.executedLowerBoundBytes = session->executedLowerBoundBytes();
        result.aliasedLowerBoundBytes = session->aliasedLowerBoundBytes();
        result.weightBytes = session->weightBytes();
        result.memoryMap = session->memoryMap();
        // The plan's explanation is cheap; its costs (a session per pin and
        // per in-place rule) are planned when the Peak tab asks for them.
        result.peak = std::make_shared<const interstage::PeakExplanation>(interstage::explainPeak(*session));
        if (!result.runs.empty()) result.bodyMemory = bodyBlocks(*result.runs.back());
        for (const auto& node : session->executedGraph().nodes) {
            result.executedNodeNames.push_back(node.name);
            result.executedNodeOps.push_back(node.opType);
        }
        for (const auto& value : session->executedGraph().values) result.executedValueNames.push_back(value.name);
        result.planTensors = interstage::planTensorFactsOf(*session);
    }
    QPointer<RunController> target = this;
    QMetaObject::invokeMethod(
        this,
        [target, result = std::move(result), session]() mutable {
            if (!target) return;
            target->lastSession_ = session;
            target->running_ = false;
            emit target->setFinished(result);
        },
        Qt::QueuedConnection);
}

interstage::Result<interstage::TensorData> RunController::blob(const std::string& name) const {
    if (!lastSession_) return interstage::Status(interstage::StatusCode::NotFound, "nothing has run yet");
    if (running_.load()) return interstage::Status(interstage::StatusCode::InvalidArgument, "a run is in progress");
    return lastSession_->blob(name);
}

}  // namespace appcore
