// Linked into every test binary and the app of a ThreadSanitizer build only
// (tests/CMakeLists.txt). Qt's global QThreadPool keeps its idle threads in
// lists that its threads edit under a QMutex, which TSan cannot see, so two
// pool threads race in Qt's own code (docs/reliability.md). With one pool
// thread that cannot happen; QtGui then paints its large jobs one slice at a
// time instead of two, which changes nothing the tests look at.
#include <QCoreApplication>
#include <QThreadPool>

namespace {
void oneGlobalPoolThread()
{
    QThreadPool::globalInstance()->setMaxThreadCount(1);
}
} // namespace

Q_COREAPP_STARTUP_FUNCTION(oneGlobalPoolThread)
