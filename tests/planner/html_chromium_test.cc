// The HTML report rendered by headless Chromium: it loads, the charts are
// in the DOM, the screenshot is not blank, and the console stays silent.
#include <gtest/gtest.h>

#include "tests/planner/test_support.h"

namespace dc::plan {
namespace {

using testing::RunCommand;

std::string Chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    if (testing::OnPath(name))
      return name;
  }
  return "";
}

// Runs Chromium on `page` with a fresh profile; `what` is the extra
// argument (--dump-dom or --screenshot=FILE). Console messages go to
// stderr through --enable-logging.
testing::CommandResult Render(const std::string& chromium,
                              const testing::ScratchDir& dir,
                              const std::string& page,
                              const std::string& what) {
  return RunCommand(
      "cd " + dir.path().string() + " && timeout 60 " + chromium +
      " --headless --no-sandbox --disable-gpu "
      "--disable-background-networking --disable-component-update "
      "--disable-sync --no-first-run --enable-logging=stderr --v=0 "
      "--window-size=1200,2000 --user-data-dir=" +
      dir.File("profile-" + std::to_string(testing::FreePort())) + " " + what +
      " file://" + page);
}

// Lines Chromium logs for page console messages look like
// "[...:INFO:CONSOLE:12] "message", source: file:///... (12)" (older
// versions write CONSOLE(12)); uncaught exceptions are logged the same way.
int ConsoleMessages(const std::string& log) {
  int count = 0;
  for (std::size_t at = log.find(":CONSOLE"); at != std::string::npos;
       at = log.find(":CONSOLE", at + 1)) {
    ++count;
  }
  return count;
}

class HtmlInChromium : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = Chromium();
    if (chromium_.empty())
      GTEST_SKIP() << "chromium not installed";
    if (geteuid() != 0)
      GTEST_SKIP() << "flags chosen for running as root";
  }
  std::string chromium_;
  testing::ScratchDir dir_;
};

TEST_F(HtmlInChromium, ReportRendersWithChartsAndNoConsoleErrors) {
  std::string html = dir_.File("report.html");
  auto made =
      RunCommand(std::string(DCPLAN_BINARY) + " report " + DCPLAN_EXAMPLES +
                 "/ministry-dc.toml --format html -o " + html);
  ASSERT_EQ(made.exit_code, 0) << made.output;

  auto dom = Render(chromium_, dir_, html, "--dump-dom");
  ASSERT_EQ(dom.exit_code, 0) << dom.output.substr(0, 2000);
  EXPECT_NE(dom.output.find("<h1>Capacity plan: Ministry central DC</h1>"),
            std::string::npos);
  // One chart per resource timeline, each with its capacity and loads.
  int charts = 0;
  for (std::size_t at = dom.output.find("<svg"); at != std::string::npos;
       at = dom.output.find("<svg", at + 1)) {
    ++charts;
  }
  EXPECT_GE(charts, 8);
  EXPECT_NE(dom.output.find("class=\"cap\""), std::string::npos);
  EXPECT_NE(dom.output.find("runs out"), std::string::npos);
  EXPECT_EQ(ConsoleMessages(dom.output), 0) << dom.output.substr(0, 3000);

  auto shot =
      Render(chromium_, dir_, html, "--screenshot=" + dir_.File("report.png"));
  ASSERT_EQ(shot.exit_code, 0) << shot.output.substr(0, 2000);
  auto size = std::filesystem::file_size(dir_.File("report.png"));
  EXPECT_GT(size, 30'000u) << "a blank page compresses to a few kB";
  EXPECT_EQ(ConsoleMessages(shot.output), 0) << shot.output.substr(0, 3000);
}

TEST_F(HtmlInChromium, ConsoleErrorsWouldBeSeen) {
  // The check above must be able to fail: a page that logs an error and
  // throws is caught by the same scan.
  dir_.Write("bad.html",
             "<!DOCTYPE html><html><body><script>console.error('boom');"
             "undefined_function();</script></body></html>");
  auto r = Render(chromium_, dir_, dir_.File("bad.html"), "--dump-dom");
  EXPECT_GE(ConsoleMessages(r.output), 1) << r.output.substr(0, 3000);
}

}  // namespace
}  // namespace dc::plan
