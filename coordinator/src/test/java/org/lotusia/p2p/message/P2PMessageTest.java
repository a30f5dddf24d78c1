package org.lotusia.p2p.message;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class P2PMessageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void writesEveryFieldInTheReferenceOrder() throws Exception {
        P2PMessage m = P2PMessage.builder()
                .protocol("proto").signature(json("{\"type\":\"Buffer\",\"data\":[1,2,255]}"))
                .messageId("m5x0k2ab-9f1c0e0011223344").timestamp(1_732_570_000_000L)
                .payload(json("{\"z\":1,\"a\":[true,false,null],\"s\":\"x\"}"))
                .to("12D3KooWB").from("12D3KooWA").type("chat")
                .build();
        assertThat(m.toJson()).isEqualTo("{\"type\":\"chat\",\"from\":\"12D3KooWA\",\"to\":\"12D3KooWB\","
                + "\"payload\":{\"z\":1,\"a\":[true,false,null],\"s\":\"x\"},\"timestamp\":1732570000000,"
                + "\"messageId\":\"m5x0k2ab-9f1c0e0011223344\",\"signature\":{\"type\":\"Buffer\",\"data\":[1,2,255]},"
                + "\"protocol\":\"proto\"}");
    }

    @Test
    void omitsAbsentFieldsLikeUndefined() {
        P2PMessage m = P2PMessage.builder().type("t").from("f").timestamp(5).messageId("id").build();
        assertThat(m.toJson()).isEqualTo("{\"type\":\"t\",\"from\":\"f\",\"timestamp\":5,\"messageId\":\"id\"}");
        assertThat(P2PMessage.builder().build().toJson()).isEqualTo("{}");
    }

    @Test
    void jsonNullPayloadIsWrittenButAbsentPayloadIsNot() {
        P2PMessage m = P2PMessage.builder().type("t").payload(NullNode.getInstance()).build();
        assertThat(m.toJson()).isEqualTo("{\"type\":\"t\",\"payload\":null}");
        assertThat(m.withPayload(null).toJson()).isEqualTo("{\"type\":\"t\"}");
    }

    @Test
    void escapesStringsLikeJsonStringify() {
        String nasty = "q\"b\\s/\b\f\n\r\t\u0000\u001f\u007f é ✓ 😀 \u2028 \ud800 x \udc00";
        P2PMessage m = P2PMessage.builder().type(nasty).build();
        assertThat(m.toJson()).isEqualTo("{\"type\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0000\\u001f\u007f é ✓ 😀 \u2028 \\ud800 x \\udc00\"}");
    }

    @Test
    void formatsNumbersLikeJavaScript() throws Exception {
        assertThat(JsJson.jsNumber(1e21)).isEqualTo("1e+21");
        assertThat(JsJson.jsNumber(1e20)).isEqualTo("100000000000000000000");
        assertThat(JsJson.jsNumber(0.1)).isEqualTo("0.1");
        assertThat(JsJson.jsNumber(1.5e-7)).isEqualTo("1.5e-7");
        assertThat(JsJson.jsNumber(0.000001)).isEqualTo("0.000001");
        assertThat(JsJson.jsNumber(-2.5)).isEqualTo("-2.5");
        assertThat(JsJson.jsNumber(-0.0)).isEqualTo("0");
        assertThat(JsJson.jsNumber(123456.789)).isEqualTo("123456.789");
        assertThat(JsJson.jsNumber(Double.NaN)).isEqualTo("null");
        ObjectNode p = JsonNodeFactory.instance.objectNode();
        p.put("int", 42).put("neg", -7).put("d", 1.0).put("big", new BigInteger("123456789012345678901234567890"));
        assertThat(P2PMessage.builder().payload(p).build().toJson())
                .isEqualTo("{\"payload\":{\"int\":42,\"neg\":-7,\"d\":1,\"big\":1.2345678901234568e+29}}");
        assertThat(P2PMessage.builder().payload(json("[1e400]")).build().toJson()).isEqualTo("{\"payload\":[null]}");
    }

    @Test
    void ordersObjectKeysLikeJavaScript() throws Exception {
        JsonNode p = json("{\"b\":1,\"10\":2,\"a\":3,\"2\":4,\"01\":5,\"4294967295\":6,\"4294967294\":7,\"-1\":8}");
        assertThat(P2PMessage.builder().payload(p).build().toJson()).isEqualTo(
                "{\"payload\":{\"2\":4,\"10\":2,\"4294967294\":7,\"b\":1,\"a\":3,\"01\":5,\"4294967295\":6,\"-1\":8}}");
    }

    @Test
    void withHelpersCopyAndEqualityIsByValue() {
        P2PMessage m = P2PMessage.builder().type("t").from("f").timestamp(1).messageId("i").build();
        P2PMessage m2 = m.withTo("x").withProtocol("p").withTimestamp(2);
        assertThat(m.to()).isNull();
        assertThat(m2.to()).isEqualTo("x");
        assertThat(m2.protocol()).isEqualTo("p");
        assertThat(m2.timestamp()).hasValue(2);
        assertThat(m2.withTo(null).withProtocol(null).withTimestamp(1)).isEqualTo(m).hasSameHashCodeAs(m);
        assertThat(m.toBuilder().noTimestamp().build().timestamp()).isEmpty();
        assertThat(m.toString()).contains("\"type\":\"t\"");
    }

    @Test
    void serializedBytesAreUtf8() {
        P2PMessage m = P2PMessage.builder().type("é😀").build();
        assertThat(new P2PProtocol().serialize(m)).isEqualTo("{\"type\":\"é😀\"}".getBytes(StandardCharsets.UTF_8));
    }
}
