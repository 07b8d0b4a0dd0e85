package org.opendpm.scheduler.internal.scenario;

import org.opendpm.scheduler.internal.*;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.Test;
import org.opendpm.api.ConflictException;
import org.opendpm.api.NotFoundException;
import org.opendpm.api.ValidationException;
import org.opendpm.api.scenario.ScenarioGroup;
import org.opendpm.api.scenario.ScenarioGroupNode;
import org.opendpm.api.scenario.ScenarioService;
import org.opendpm.api.scenario.ScenarioSpec;

/** Scenario groups (SCN-1) and the protected "Built-in Scenarios" group (SCN-4). */
public class ScenarioGroupsTest {

    @Test
    public void scn1GroupsNestAndAreFoundByPathAndInTheTree() {
        var f = new Fixture();
        f.service.createGroup("/Linux");
        ScenarioGroup web = f.service.createGroup(" /Linux/Web ");
        assertThat(web.path()).isEqualTo("/Linux/Web");
        assertThat(web.depth()).isEqualTo(2);
        assertThat(f.service.findGroup("/Linux/Web")).contains(web);
        assertThat(f.service.findGroup("/linux/web")).isEmpty();
        assertThat(f.service.groups()).extracting(ScenarioGroup::path)
                .containsExactly("/Built-in Scenarios", "/Linux", "/Linux/Web");
        List<ScenarioGroupNode> tree = f.service.groupTree();
        assertThat(tree).extracting(n -> n.group().name()).containsExactly("Built-in Scenarios", "Linux");
        assertThat(tree.get(1).children()).extracting(n -> n.group().path()).containsExactly("/Linux/Web");
    }

    @Test
    public void scn1BadPathsAreRefusedNamingTheFieldAndAMissingParentCreatesNothing() {
        var f = new Fixture();
        assertThatThrownBy(() -> f.service.createGroup("Linux")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("must start with '/'");
        assertThatThrownBy(() -> f.service.createGroup("/a//b")).isInstanceOf(ValidationException.class);
        assertThatThrownBy(() -> f.service.createGroup("/a\u0007b")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("control character");
        assertThatThrownBy(() -> f.service.createGroup("/Missing/Child")).isInstanceOf(ValidationException.class)
                .hasMessageContaining("/Missing does not exist");
        assertThatThrownBy(() -> f.service.createGroup("/built-in SCENARIOS"))
                .isInstanceOf(ConflictException.class).hasMessageContaining("reserved");
        f.service.createGroup("/Linux");
        assertThatThrownBy(() -> f.service.createGroup("/Linux")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("exists already");
        assertThat(f.count("scenario_group")).isEqualTo(2);
    }

    @Test
    public void scn1TheLayerLimitIsAConflictNamingIt() {
        var f = new Fixture(new Limits(1000, 3));
        f.service.createGroup("/a");
        f.service.createGroup("/a/b");
        f.service.createGroup("/a/b/c");
        assertThatThrownBy(() -> f.service.createGroup("/a/b/c/d")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("the limit of 3 layers of scenario groups");
        assertThat(f.service.findGroup("/a/b/c/d")).isEmpty();
    }

    @Test
    public void scn1TheLongestPathAtTwentyLayersIsStoredAndFound() {
        var f = new Fixture();
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            // 64 characters a layer, non-ASCII so that the stored key is as long as it gets in bytes too.
            path.append('/').append(String.format("%02d", i)).append("\u00e9\u6f22".repeat(31));
            f.service.createGroup(path.toString());
        }
        assertThat(f.service.findGroup(path.toString()).orElseThrow().depth()).isEqualTo(20);
        assertThatThrownBy(() -> f.service.createGroup(path + "/x")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("the limit of 20 layers of scenario groups");
    }

    @Test
    public void scn1TheGroupLimitCountsBuiltInAndHoldsUnderConcurrency() throws Exception {
        var f = new Fixture(new Limits(5, 20));
        // "Built-in Scenarios" is one of the five; 16 concurrent creations leave room for exactly four.
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> calls = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String path = "/g" + i;
                calls.add(() -> {
                    try {
                        f.service.createGroup(path);
                        return true;
                    } catch (ConflictException e) {
                        assertThat(e).hasMessageContaining("the limit of 5 scenario groups");
                        return false;
                    }
                });
            }
            int created = 0;
            for (Future<Boolean> r : pool.invokeAll(calls)) {
                created += r.get() ? 1 : 0;
            }
            assertThat(created).isEqualTo(4);
        } finally {
            pool.shutdown();
        }
        assertThat(f.count("scenario_group")).isEqualTo(5);
    }

    @Test
    public void scn1RenameMovesTheSubtreePathsAndDeleteNeedsAnEmptyGroup() {
        var f = new Fixture();
        ScenarioGroup linux = f.service.createGroup("/Linux");
        ScenarioGroup web = f.service.createGroup("/Linux/Web");
        f.service.createGroup("/Other");
        assertThatThrownBy(() -> f.service.renameGroup(linux.id(), "Other")).isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> f.service.renameGroup(linux.id(), "a/b")).isInstanceOf(ValidationException.class)
                .extracting(e -> ((ValidationException) e).field()).isEqualTo("name");
        assertThat(f.service.renameGroup(linux.id(), "Unix").path()).isEqualTo("/Unix");
        assertThat(f.service.group(web.id()).path()).isEqualTo("/Unix/Web");
        assertThat(f.service.findGroup("/Linux/Web")).isEmpty();

        assertThatThrownBy(() -> f.service.deleteGroup(linux.id())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("1 sub-groups and 0 scenarios");
        f.service.createScenario(new ScenarioSpec("s1", web.id(), null, null));
        assertThatThrownBy(() -> f.service.deleteGroup(web.id())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("0 sub-groups and 1 scenarios");
        f.service.deleteScenario(f.service.findScenario("s1").orElseThrow().id());
        f.service.deleteGroup(web.id());
        f.service.deleteGroup(linux.id());
        assertThatThrownBy(() -> f.service.group(linux.id())).isInstanceOf(NotFoundException.class);
    }

    @Test
    public void scn4BuiltInGroupCannotBeRenamedDeletedOrExtended() {
        var f = new Fixture();
        ScenarioGroup builtIn = f.service.findGroup("/" + ScenarioService.BUILT_IN_GROUP).orElseThrow();
        assertThat(builtIn.builtIn()).isTrue();
        assertThat(builtIn.scenarioCount()).isEqualTo(3);
        assertThatThrownBy(() -> f.service.renameGroup(builtIn.id(), "Mine")).isInstanceOf(ConflictException.class)
                .hasMessageContaining("cannot be renamed");
        assertThatThrownBy(() -> f.service.deleteGroup(builtIn.id())).isInstanceOf(ConflictException.class)
                .hasMessageContaining("cannot be deleted");
        assertThatThrownBy(() -> f.service.createGroup("/Built-in Scenarios/Sub"))
                .isInstanceOf(ConflictException.class);
        assertThatThrownBy(() -> f.service.createScenario(new ScenarioSpec("mine", builtIn.id(), null, null)))
                .isInstanceOf(ConflictException.class);
        assertThat(f.service.group(builtIn.id())).isEqualTo(builtIn);
    }
}
