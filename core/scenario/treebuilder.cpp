// The tree builder (treebuilder.h): child specs and servers for a
// scenario's nodes.
#include "core/scenario/treebuilder.h"

#include "core/scenario/worker.h"

#include <vector>

namespace sc {

using std::chrono::milliseconds;

namespace {

/// A node kept alive by the child specs that start it (aliasing pointers into one tree).
using NodeRef = std::shared_ptr<const ScenarioNode>;

SupervisorFlags supervisorFlags(const ScenarioNode& n)
{
    return {n.strategy, n.intensity, milliseconds(n.periodMs)};
}

DynamicSupervisorFlags dynamicFlags(const ScenarioNode& n)
{
    return {n.intensity, milliseconds(n.periodMs), n.maxChildren};
}

ChildSpec childSpec(const NodeRef& node, const std::shared_ptr<Teardown>& teardown);

std::vector<ChildSpec> childSpecs(const NodeRef& node, const std::shared_ptr<Teardown>& teardown)
{
    std::vector<ChildSpec> specs;
    for (const auto& child : node->children)
        specs.push_back(childSpec(NodeRef(node, &child), teardown));
    return specs;
}

/// A supervisor of the scenario's tree: it tells the run where it is as it
/// starts, before its children, so that a worker's `links` can name it.
template <typename Base> class ScenarioSupervisor : public Base {
public:
    template <typename Flags, typename... Rest>
    ScenarioSupervisor(std::shared_ptr<Teardown> teardown, Flags flags, Rest&&... rest)
        : Base(flags, std::forward<Rest>(rest)...)
        , m_teardown(std::move(teardown))
    {
    }
    Next init() override
    {
        m_teardown->started(this->path(), this->self());
        return Base::init();
    }

private:
    std::shared_ptr<Teardown> m_teardown;
};

std::unique_ptr<GenServer> makeServer(const NodeRef& node, const std::shared_ptr<Teardown>& teardown)
{
    switch (node->type) {
    case ScenarioNode::Type::Supervisor:
        return std::make_unique<ScenarioSupervisor<Supervisor>>(
            teardown, supervisorFlags(*node), childSpecs(node, teardown));
    case ScenarioNode::Type::DynamicSupervisor:
        return std::make_unique<ScenarioSupervisor<DynamicSupervisor>>(teardown, dynamicFlags(*node));
    case ScenarioNode::Type::Worker:
        break;
    }
    return std::make_unique<ScenarioWorker>(node, teardown);
}

ChildSpec childSpec(const NodeRef& node, const std::shared_ptr<Teardown>& teardown)
{
    ChildSpec spec;
    spec.id = node->id;
    spec.start = [node, teardown] { return makeServer(node, teardown); };
    spec.restart = node->restart;
    spec.shutdown = node->shutdown;
    spec.type = node->type == ScenarioNode::Type::Worker ? ChildType::Worker : ChildType::Supervisor;
    return spec;
}

Result<Pid> startTree(Runtime& rt, const NodeRef& root, const std::shared_ptr<Teardown>& teardown)
{
    SpawnOptions options;
    options.path = root->id;
    return rt.spawn(makeServer(root, teardown), options);
}

} // namespace

Result<Pid> startScenarioTree(Runtime& rt, const ScenarioNode& root)
{
    return startTree(rt, std::make_shared<const ScenarioNode>(root), std::make_shared<Teardown>());
}

ChildSpec scenarioWorkerSpec(const std::string& id, Restart restart)
{
    ScenarioNode node;
    node.id = id;
    node.restart = restart;
    return childSpec(std::make_shared<const ScenarioNode>(std::move(node)), std::make_shared<Teardown>());
}

finance::Config financeConfig(const Scenario& scenario, const std::string& dataDir, bool recoverState)
{
    finance::Config config;
    config.dataDir = dataDir;
    config.recoverState = scenario.recoverState || recoverState;
    config.reportLoad = scenario.reportLoad;
    config.nisab = scenario.nisab;
    return config;
}

Result<Pid> startScenarioTree(Runtime& rt, const ScenarioNode& root, const std::shared_ptr<Teardown>& teardown)
{
    return startTree(rt, std::make_shared<const ScenarioNode>(root), teardown);
}

ChildSpec scenarioChildSpec(const ScenarioNode& node, const std::shared_ptr<Teardown>& teardown)
{
    return childSpec(std::make_shared<const ScenarioNode>(node), teardown);
}

} // namespace sc
