package org.opendpm.inventory.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.Test;

/** INV-1 limits and INV-2 group paths. */
public class GroupPathTest {

    @Test
    public void parsesAFullPath_INV2() {
        GroupPath path = GroupPath.parse("/Group2/Subgroup21");
        assertThat(path.segments()).containsExactly("Group2", "Subgroup21");
        assertThat(path.depth()).isEqualTo(2);
        assertThat(path.name()).isEqualTo("Subgroup21");
        assertThat(path.parent()).contains(GroupPath.parse("/Group2"));
        assertThat(path).hasToString("/Group2/Subgroup21");
    }

    @Test
    public void rootIsSlash() {
        assertThat(GroupPath.parse("/")).isSameAs(GroupPath.ROOT);
        assertThat(GroupPath.ROOT.isRoot()).isTrue();
        assertThat(GroupPath.ROOT.depth()).isZero();
        assertThat(GroupPath.ROOT.parent()).isEmpty();
        assertThat(GroupPath.ROOT).hasToString("/");
        assertThat(GroupPath.parse("/Group1").parent()).contains(GroupPath.ROOT);
        assertThatThrownBy(GroupPath.ROOT::name).isInstanceOf(IllegalStateException.class);
    }

    @Test
    public void dropsBlanksAroundNames() {
        assertThat(GroupPath.parse(" /Group 2 / Sub 21 ")).hasToString("/Group 2/Sub 21");
    }

    @Test
    public void fullPathMustStartWithSlash() {
        assertThatThrownBy(() -> GroupPath.parse("Group1")).hasMessageContaining("must start with '/', e.g. /Group1");
    }

    @Test
    public void oldFormatNamesAGroupUnderTheRoot_INV8() {
        assertThat(GroupPath.parseLenient("Group1")).isEqualTo(GroupPath.parse("/Group1"));
        assertThat(GroupPath.parseLenient("Group2/Sub")).isEqualTo(GroupPath.parse("/Group2/Sub"));
        assertThat(GroupPath.parseLenient("/Group3/Sub31")).isEqualTo(GroupPath.parse("/Group3/Sub31"));
    }

    @Test
    public void emptySegmentsAreRefusedWithTheirLayer() {
        assertThatThrownBy(() -> GroupPath.parse("/A//B")).hasMessageContaining("empty group name at layer 2")
                .hasMessageContaining("doubled");
        assertThatThrownBy(() -> GroupPath.parse("/A/")).hasMessageContaining("empty group name at layer 2")
                .hasMessageContaining("trailing");
        assertThatThrownBy(() -> GroupPath.parse("")).hasMessageContaining("required");
    }

    @Test
    public void twentyLayersAreTheLimit_INV1() {
        StringBuilder twenty = new StringBuilder();
        for (int i = 1; i <= GroupPath.MAX_LAYERS; i++) {
            twenty.append("/g").append(i);
        }
        GroupPath deepest = GroupPath.parse(twenty.toString());
        assertThat(deepest.depth()).isEqualTo(20);
        assertThatThrownBy(() -> GroupPath.parse(twenty + "/g21")).hasMessageContaining("21 layers")
                .hasMessageContaining("limit is 20 layers");
        assertThatThrownBy(() -> deepest.child("g21")).hasMessageContaining("limit is 20 layers");
    }

    @Test
    public void limitsOfINV1AreConstants() {
        assertThat(GroupPath.MAX_GROUPS).isEqualTo(1000);
        assertThat(GroupPath.MAX_LAYERS).isEqualTo(20);
        assertThat(GroupPath.MAX_MACHINES).isEqualTo(40000);
    }

    @Test
    public void forbiddenNames() {
        assertThatThrownBy(() -> GroupPath.parse("/A;B")).hasMessageContaining("contains ';'");
        assertThatThrownBy(() -> GroupPath.parse("/A/..")).hasMessageContaining("'..' is not allowed");
        assertThatThrownBy(() -> GroupPath.parse("/A/\tB\u0007")).hasMessageContaining("control character");
        assertThatThrownBy(() -> GroupPath.parse("/" + "x".repeat(65))).hasMessageContaining("limit is 64");
        assertThatThrownBy(() -> GroupPath.parse("/new machine")).hasMessageContaining("reserved");
        assertThat(GroupPath.parse("/Lab/New Machine").name()).isEqualTo("New Machine");
        assertThatThrownBy(() -> GroupPath.ROOT.child("a/b")).hasMessageContaining("contains '/'");
        assertThatThrownBy(() -> new GroupPath(List.of(" a"))).hasMessageContaining("blanks");
    }

    @Test
    public void acceptsUnicodeAndPunctuation() {
        assertThat(GroupPath.parse("/東京/Rack #1, row \"A\"").segments()).containsExactly("東京", "Rack #1, row \"A\"");
    }

    @Test
    public void ancestorsOutermostFirst() {
        assertThat(GroupPath.parse("/a/b/c").selfAndAncestors()).extracting(GroupPath::toString)
                .containsExactly("/a", "/a/b", "/a/b/c");
        assertThat(GroupPath.ROOT.selfAndAncestors()).isEmpty();
    }

    @Test
    public void containsItselfAndDescendants() {
        GroupPath a = GroupPath.parse("/a");
        assertThat(a.contains(GroupPath.parse("/a/b"))).isTrue();
        assertThat(a.contains(a)).isTrue();
        assertThat(a.contains(GroupPath.parse("/ab"))).isFalse();
        assertThat(GroupPath.ROOT.contains(a)).isTrue();
    }

    @Test
    public void namesAreCaseSensitive() {
        assertThat(GroupPath.parse("/Group1")).isNotEqualTo(GroupPath.parse("/group1"));
    }
}
