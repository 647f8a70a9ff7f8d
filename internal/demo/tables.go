package demo

// Texts the demo draws from. They use the programme documents' own words
// where there are any, so that the demo reads like a real register.

var skills = map[string][]string{
	"neighbour": {"买菜", "做饭", "打扫卫生", "陪同散步", "聊天谈心", "理发", "缝补", "读报",
		"家电维修", "水电维修", "陪诊", "代缴水电费", "陪同洗澡"},
	"social": {"读报", "智能手机教学", "文艺表演", "陪同散步", "法律咨询", "心理疏导", "摄影",
		"书法", "陪诊", "家电维修"},
	"committee": {"政策咨询", "法律咨询", "矛盾调解", "应急救助", "慰问组织", "救助申请代办"},
	"clinic":    {"健康咨询", "测血压", "测血糖", "康复指导", "急救", "用药指导", "慢病随访"},
}

var availability = map[string][]string{
	"neighbour": {"每天上午", "每天 8:00–11:00", "每天下午", "随叫随到", "工作日全天", "除周日外每天"},
	"social":    {"周末", "周六上午", "工作日晚上", "寒暑假", "每周三下午"},
	"committee": {"工作日 8:30–17:30", "工作日，节假日轮值"},
	"clinic":    {"工作日门诊时间", "每周二、周四上门随访", "工作日，急诊随叫随到"},
}

var trainings = []string{
	"参加街道志愿者岗前培训",
	"参加街道志愿者岗前培训；红十字会急救技能培训（持证）",
	"养老护理员（初级）培训",
	"社区防灾避险知识培训；消防安全培训",
	"老年人心理关爱培训",
	"红十字会救护员证",
}

var honours = []string{
	"鼓楼区优秀志愿者",
	"南京市五星级志愿者",
	"和平街道“最美邻里志愿者”",
	"江苏省优秀青年志愿者",
	"社区“敬老之星”",
}

// socialTeams are where social volunteers come from: universities,
// the district youth league, the women's federation.
var studentTeams = []string{"南京师范大学青年志愿者协会", "河海大学青年志愿者协会", "南京艺术学院爱心社"}
var studentAddresses = []string{"南京师范大学随园校区", "河海大学西康路校区", "南京艺术学院"}
var workerTeams = []string{"鼓楼区青年志愿者服务队", "和平街道巾帼志愿服务队", "鼓楼区党员志愿服务队"}

// Where elders' children live: empty-nest elders' children mostly elsewhere.
var farCities = []string{"上海", "苏州", "北京", "深圳", "杭州", "无锡", "广州", "常州", "合肥", "美国", "澳大利亚"}
var nearPlaces = []string{"本市", "本市江宁区", "本市浦口区", "本市建邺区", "本市栖霞区"}

var healthNotes = []string{
	"高血压，每日服药",
	"糖尿病，需定期测血糖",
	"脑梗后遗症，左侧肢体活动不便",
	"轻度阿尔茨海默症，外出需陪同",
	"慢阻肺，冬季易发作",
	"冠心病，家中备有速效救心丸",
	"白内障术后，视力较差",
	"腰椎间盘突出，不能提重物",
}

var lifeNotes = []string{
	"听力较差，敲门需用力",
	"喜欢聊天下棋",
	"老党员，爱看报纸",
	"信佛，素食",
	"养了一只猫，进门请随手关门",
	"只会说南京话",
	"午睡 12:00–14:00，请勿打扰",
	"备用钥匙放在隔壁邻居家",
	"不会用智能手机，有事请打座机",
}

var hospitalReasons = []string{
	"住院治疗（肺部感染）",
	"髋部骨折住院",
	"脑梗住院治疗",
	"心衰住院治疗",
}

var moveReasons = []string{
	"房屋拆迁，迁至江宁区",
	"入住鼓楼区社会福利院，已迁出本社区",
	"换房迁至建邺区",
}

var deathReasons = []string{
	"因病去世，家属告知",
	"在家中安详离世",
	"于医院病故",
}

var declineReasons = []string{
	"已雇保姆照料",
	"子女每天回家照看，暂不需要结对",
	"由老伴照料，不愿麻烦志愿者",
	"家中已请钟点工，婉拒结对",
}
