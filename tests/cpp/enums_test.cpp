// Shared payload enums (spec §6.1): values, element sizes, tier thresholds, domain profiles.
#include <gtest/gtest.h>

#include <cstring>

#include <rvf/core/format/derivation_names.hpp>
#include <rvf/core/format/enums.hpp>

using namespace rvf::core;

TEST(Enums, DataTypeValuesAndElementSizes) {
    EXPECT_EQ(static_cast<int>(DataType::F32), 0);
    EXPECT_EQ(static_cast<int>(DataType::F16), 1);
    EXPECT_EQ(static_cast<int>(DataType::Bf16), 2);
    EXPECT_EQ(static_cast<int>(DataType::I8), 3);
    EXPECT_EQ(static_cast<int>(DataType::U8), 4);
    EXPECT_EQ(static_cast<int>(DataType::I4), 5);
    EXPECT_EQ(static_cast<int>(DataType::Binary), 6);
    EXPECT_EQ(static_cast<int>(DataType::Pq), 7);
    EXPECT_EQ(static_cast<int>(DataType::Custom), 8);
    const size_t expect[9] = {4, 2, 2, 1, 1, 1, 1, 1, 1};
    for (uint8_t v = 0; v < 9; ++v) {
        EXPECT_TRUE(data_type_known(v));
        EXPECT_EQ(data_type_element_size(v), expect[v]) << int(v);
        EXPECT_NE(data_type_name(v), nullptr);
        EXPECT_EQ(data_type_is_scalar(v), v <= 4);
    }
    // Unknown bytes: not known, but sized as 1 like the codecs do.
    for (int v = 9; v < 256; ++v) {
        EXPECT_FALSE(data_type_known(static_cast<uint8_t>(v)));
        EXPECT_EQ(data_type_element_size(static_cast<uint8_t>(v)), 1u);
        EXPECT_EQ(data_type_name(static_cast<uint8_t>(v)), nullptr);
    }
    EXPECT_STREQ(data_type_name(1), "f16");
}

TEST(Enums, AssignTierThresholdsAreExclusive) {
    EXPECT_EQ(assign_tier(255), TemperatureTier::Hot);
    EXPECT_EQ(assign_tier(129), TemperatureTier::Hot);
    EXPECT_EQ(assign_tier(128), TemperatureTier::Warm);
    EXPECT_EQ(assign_tier(17), TemperatureTier::Warm);
    EXPECT_EQ(assign_tier(16), TemperatureTier::Cold);
    EXPECT_EQ(assign_tier(0), TemperatureTier::Cold);
    static_assert(assign_tier(200) == TemperatureTier::Hot, "usable at compile time");
    EXPECT_TRUE(temperature_tier_known(2));
    EXPECT_FALSE(temperature_tier_known(3));
}

TEST(Enums, QuantAndProfileRanges) {
    EXPECT_TRUE(quant_type_known(3));
    EXPECT_FALSE(quant_type_known(4));
    EXPECT_EQ(static_cast<int>(QuantType::Binary), 2);
    EXPECT_TRUE(profile_id_known(3));
    EXPECT_FALSE(profile_id_known(4));
    EXPECT_EQ(static_cast<int>(ProfileId::Core), 1);
    for (int v = 0; v < 256; ++v) {
        const bool expect = v <= 4 || (v >= 0x10 && v <= 0xEF);
        EXPECT_EQ(domain_profile_valid(static_cast<uint8_t>(v)), expect) << v;
    }
}

TEST(Enums, DomainProfileMagicReadsAsAsciiBackwardsOnDisk) {
    struct Case {
        DomainProfile p;
        const char *ascii; // the name the u32 spells, most significant byte first
        const char *ext;
        const char *name;
    };
    const Case cases[] = {{DomainProfile::Rvdna, "RDNA", ".rvdna", "rvdna"},
                          {DomainProfile::Rvtext, "RTXT", ".rvtext", "rvtext"},
                          {DomainProfile::Rvgraph, "RGRH", ".rvgraph", "rvgraph"},
                          {DomainProfile::Rvvision, "RVIS", ".rvvis", "rvvision"}};
    for (const Case &c : cases) {
        const uint32_t m = domain_profile_magic(c.p);
        for (int i = 0; i < 4; ++i)
            EXPECT_EQ(static_cast<char>(m >> (24 - 8 * i)), c.ascii[i]);
        EXPECT_STREQ(domain_profile_extension(c.p), c.ext);
        EXPECT_STREQ(domain_profile_name(c.p), c.name);
    }
    EXPECT_EQ(domain_profile_magic(DomainProfile::Generic), 0u);
    EXPECT_STREQ(domain_profile_extension(DomainProfile::Generic), ".rvf");
}

TEST(Enums, DomainProfileFromPath) {
    DomainProfile p = DomainProfile::Generic;
    auto from = [&](const char *s) { return domain_profile_from_path(s, std::strlen(s), p); };
    ASSERT_TRUE(from("/data/genome.rvdna"));
    EXPECT_EQ(p, DomainProfile::Rvdna);
    ASSERT_TRUE(from("IMAGES.RVVIS"));
    EXPECT_EQ(p, DomainProfile::Rvvision);
    ASSERT_TRUE(from("x.rvf"));
    EXPECT_EQ(p, DomainProfile::Generic);
    ASSERT_TRUE(from("g.rvgraph"));
    EXPECT_EQ(p, DomainProfile::Rvgraph);
    EXPECT_FALSE(from("notes.txt"));
    EXPECT_FALSE(from("rvf"));
    EXPECT_FALSE(from(""));
}

// The one name table the bindings use: every known value has a name that maps back to it, and
// nothing else is accepted (not a prefix, not another case, not an empty name).
TEST(Enums, DerivationTypeNamesRoundTrip) {
    int named = 0;
    for (int v = 0; v < 256; ++v) {
        const auto t = static_cast<DerivationType>(v);
        const char *name = derivation_type_name(t);
        EXPECT_EQ(name != nullptr, derivation_type_known(static_cast<uint8_t>(v))) << v;
        if (!name)
            continue;
        ++named;
        DerivationType back = DerivationType::Clone;
        ASSERT_TRUE(derivation_type_from_name(name, back)) << name;
        EXPECT_EQ(back, t) << name;
        EXPECT_NE(std::strstr(kDerivationTypeNameList, name), nullptr) << name;
    }
    EXPECT_EQ(named, 8);
    EXPECT_STREQ(derivation_type_name(DerivationType::UserDefined), "user-defined");
    DerivationType out = DerivationType::Merge;
    for (const char *bad : {"", "fork", "clon", "clones", "Clone", "user_defined", "snapshot "})
        EXPECT_FALSE(derivation_type_from_name(bad, out)) << bad;
    EXPECT_EQ(out, DerivationType::Merge); // untouched on failure
}

TEST(Enums, DerivationAndMetric) {
    EXPECT_EQ(static_cast<int>(DerivationType::Snapshot), 6);
    EXPECT_EQ(static_cast<int>(DerivationType::UserDefined), 0xFF);
    EXPECT_TRUE(derivation_type_known(0xFF));
    EXPECT_FALSE(derivation_type_known(7));
    EXPECT_EQ(static_cast<int>(Metric::L2), 0);
    EXPECT_EQ(static_cast<int>(Metric::InnerProduct), 1);
    EXPECT_EQ(static_cast<int>(Metric::Cosine), 2);
    EXPECT_EQ(static_cast<int>(Metric::Hamming), 3);
    EXPECT_TRUE(metric_known(3));
    EXPECT_FALSE(metric_known(4));
    EXPECT_TRUE(metric_valid_layout_r(2));
    EXPECT_FALSE(metric_valid_layout_r(3)); // Hamming never appears in the Layout R byte
    EXPECT_STREQ(metric_name(1), "InnerProduct");
    EXPECT_EQ(metric_name(9), nullptr);
}
