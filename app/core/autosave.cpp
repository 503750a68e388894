#include "core/autosave.h"

#include <unistd.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QMetaObject>
#include <QPointer>
#include <QStandardPaths>
#include <algorithm>
#include <atomic>

namespace appcore {
namespace {

QString lockPathOf(const QString& sessionPath) {
    return QFileInfo(sessionPath).dir().filePath(QFileInfo(sessionPath).completeBaseName() + ".lock");
}

}  // namespace

QString Autosave::defaultDirectory() {
    const QString overridden = qEnvironmentVariable("INTERSTAGE_AUTOSAVE_DIR");
    if (!overridden.isEmpty()) return overridden;
    return QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) + "/autosave";
}

Autosave::Autosave(const QString& directory, QObject* parent) : QObject(parent), directory_(directory) {
    QDir().mkpath(directory_);
    // One file per window: a test may hold two windows in one process.
    static std::atomic<int> windows{0};
    const QString base = QString("autosave-%1-%2").arg(::getpid()).arg(++windows);
    path_ = QDir(directory_).filePath(base + "." + kSessionSuffix);
    lock_ = std::make_unique<QLockFile>(lockPathOf(path_));
    // Held as long as the process lives: age alone never makes it stale.
    lock_->setStaleLockTime(0);
    if (!lock_->tryLock(0)) lastError_ = tr("cannot lock %1 (the autosave may be offered again)").arg(lock_->error());
}

Autosave::~Autosave() {
    waitForIdle();
    if (worker_.joinable()) worker_.join();
    QFile::remove(path_);
    lock_->unlock();
}

void Autosave::save(Builder build) {
    std::unique_lock<std::mutex> hold(mutex_);
    pending_ = std::move(build);
    if (writing_) return;  // the worker takes it when the write in flight is done
    writing_ = true;
    hold.unlock();
    if (worker_.joinable()) worker_.join();  // the previous worker has finished its loop
    worker_ = std::thread([this] { work(); });
}

void Autosave::work() {
    for (;;) {
        Builder build;
        {
            std::lock_guard<std::mutex> hold(mutex_);
            if (!pending_) {
                writing_ = false;
                idle_.notify_all();
                return;
            }
            build = std::move(pending_);
            pending_ = nullptr;
        }
        QElapsedTimer timer;
        timer.start();
        const interstage::Status status = interstage::writeSessionFile(path_.toStdString(), build());
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        QString error;
        {
            std::lock_guard<std::mutex> hold(mutex_);
            if (status.isOk())
                ++writes_;
            else
                error = lastError_ = QString::fromStdString(status.toString());
        }
        QPointer<Autosave> self = this;
        const QString path = path_;
        QMetaObject::invokeMethod(
            this,
            [self, path, ms, error] {
                if (!self) return;
                if (error.isEmpty())
                    emit self->saved(path, ms);
                else
                    emit self->failed(error);
            },
            Qt::QueuedConnection);
    }
}

void Autosave::waitForIdle() {
    std::unique_lock<std::mutex> hold(mutex_);
    idle_.wait(hold, [this] { return !writing_; });
}

int Autosave::writesDone() const {
    std::lock_guard<std::mutex> hold(mutex_);
    return writes_;
}

QString Autosave::lastError() const {
    std::lock_guard<std::mutex> hold(mutex_);
    return lastError_;
}

std::vector<Autosave::Orphan> Autosave::orphans(const QString& directory) {
    std::vector<Orphan> found;
    const QDir dir(directory);
    for (const QFileInfo& file :
         dir.entryInfoList({QString("autosave-*.") + kSessionSuffix}, QDir::Files | QDir::Readable)) {
        QLockFile lock(lockPathOf(file.absoluteFilePath()));
        lock.setStaleLockTime(0);
        // Taken only when no living process holds it (a dead one's lock is
        // stale and removed); let go at once: this is a question, not a claim.
        if (!lock.tryLock(0)) continue;
        lock.unlock();
        found.push_back({file.absoluteFilePath(), file.lastModified()});
    }
    std::sort(found.begin(), found.end(), [](const Orphan& a, const Orphan& b) { return a.savedAt > b.savedAt; });
    return found;
}

void Autosave::discardOrphan(const QString& path) {
    QFile::remove(path);
    QFile::remove(lockPathOf(path));
}

}  // namespace appcore
